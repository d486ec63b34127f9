#!/usr/bin/env python3
"""Hostile load against a release build of `app serve`: does the server stay small, healthy and fast?

    Benchmarks/hostile_load.py                       # build (.build-release), run the four attacks, ~3 minutes
    Benchmarks/hostile_load.py --attack slow-body    # one attack (repeat the flag, or list them: a,b)
    Benchmarks/hostile_load.py --ref HEAD            # build a commit's tree, not the work tree (someone editing)
    Benchmarks/hostile_load.py --binary PATH         # skip the build
    Benchmarks/hostile_load.py --seconds 10 --json results.json

The attacks (each against its own fresh server, temp DATA_DIR, production settings, loopback only):
  slow-body         20 connections POST a 10 MiB Content-Length (application/octet-stream), send 6 MiB at
                    once, then one byte every 7 s; a connection the server closes is reopened a second later
  many-connections  5,000 connections send a partial request head and hold; reopened a second after a drop
  huge-form         3 clients at once POST /accounts/login with `a&` x 5,000,000 (10 MB), a well-formed
                    session cookie and a matching Origin, over and over
  login-flood       32 keep-alive clients POST /accounts/login with a valid CSRF token and a wrong password
                    for a random email, over and over
The attack comes from 127.0.0.2, another client address than the probes' 127.0.0.1, as a real attacker's
would (--attack-sources N: from 127.0.0.2 ... on N addresses, like a botnet; 0: from 127.0.0.1 too).
While an attack runs, a separate probe process (so the attack's own event loop cannot delay it) does
GET /health every 100 ms on a fresh connection (1 s timeout; a timeout, a socket error or a non-200 is a
miss), a well-behaved client doing GET / on a keep-alive connection 15 times a second (latency from the
first byte sent to the last byte read; a failed request counts with the time it took to fail), and samples
the server's VmRSS every 100 ms and its open descriptors every 500 ms.

The table, one row per attack: base RSS (VmRSS after start-up and a warm-up, before the attack), peak RSS
(the server's VmHWM at the end: its true peak, which a 100 ms sample can miss; the highest sample is in the
detail line), /health miss (misses/probes; a stalled server answers fewer probes, each waiting its 1 s),
/health p99 (a missed probe counts with the time it took to fail), good p50 / p99 (the well-behaved client,
with how many of its requests failed), and the verdict: PASS, or FAIL with what failed (rss, health, p99,
good = a failed request, died = the server exited). Under the table: each attack's outcome (status counts,
connections kept, how long the server held them; a/b/c s is min/median/max), RSS 2 s after the attack, peak
descriptors and threads, and a sample of what the server logged during the attack.
Targets (the issue): peak RSS < 150 MB, no /health miss, good-client p99 < 50 ms with no failed request. The
exit status is 0 when every attack meets them, 1 when one does not, 2 when a run could not be measured.
MB here is VmRSS / 1024 (as Benchmarks/run prints it). --json PATH writes all of it, RSS series included.

By default the server is pinned to cpu 1 and this script (and its probes) to cpu 0 with sched_setaffinity/
taskset (--no-pin to let them float). Every attack is bounded (--seconds, plus --tail for answers in
flight), every process started here is stopped by PID (SIGTERM, then SIGKILL), and the temp dirs are removed.
"""
import argparse
import asyncio
import base64
import json
import os
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

HOST = "127.0.0.1"
REPO = Path(__file__).resolve().parent.parent
SCRATCH = ".build-release"
ATTACKS = ("slow-body", "many-connections", "huge-form", "login-flood")
ALIASES = {"many-connection": "many-connections", "slowbody": "slow-body", "hugeform": "huge-form",
           "login": "login-flood", "slow": "slow-body", "many": "many-connections", "form": "huge-form"}
DEFAULT_SECONDS = {"slow-body": 40.0, "many-connections": 20.0, "huge-form": 20.0, "login-flood": 20.0}


def log(message):
    print(message, file=sys.stderr, flush=True)


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, int(round(p * (len(ordered) - 1)))))
    return ordered[k]


def ms(seconds):
    return None if seconds is None else round(seconds * 1000, 1)


# --- HTTP/1.1 on asyncio streams -----------------------------------------------------------------------

class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        return self.headers.get(name.lower(), [])

    @property
    def closes(self):
        return any("close" in value.lower() for value in self.header("connection"))


async def read_response(reader):
    """One response (head, then a Content-Length, chunked or read-to-close body)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), []).append(value.strip())
    response = Response(status, headers, b"")
    if status in (204, 304) or 100 <= status < 200:
        return response
    if any("chunked" in value.lower() for value in response.header("transfer-encoding")):
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            parts.append(await reader.readexactly(size + 2))
            if size == 0:
                break
        response.body = b"".join(part[:-2] for part in parts)
    elif response.header("content-length"):
        response.body = await reader.readexactly(int(response.header("content-length")[0]))
    else:
        response.body = await reader.read()
    return response


def close_writer(writer):
    if writer is not None:
        try:
            writer.close()
        except Exception:
            pass


def status_of(first_bytes):
    match = re.match(rb"HTTP/1\.[01] (\d{3})", first_bytes or b"")
    return int(match.group(1)) if match else None


async def send(writer, data, deadline, piece=65536):
    """Writes `data` with back-pressure, giving up (TimeoutError) at `deadline` (loop time)."""
    loop = asyncio.get_running_loop()
    view = memoryview(data)
    for start in range(0, len(view), piece):
        writer.write(view[start:start + piece])
        await asyncio.wait_for(writer.drain(), max(0.001, deadline - loop.time()))


IP_BIND_ADDRESS_NO_PORT = getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24)  # Linux: pick the port at connect()


async def connect(port, source=None):
    """A stream to 127.0.0.1:port, from the loopback address `source` (127.0.0.2, ...) when given."""
    if source is None:
        return await asyncio.open_connection(HOST, port)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
        sock.bind((source, 0))
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (HOST, port))
    except BaseException:
        sock.close()
        raise
    return await asyncio.open_connection(sock=sock)


def source_address(index, count):
    """The attack's client addresses: 127.0.0.2, 127.0.0.3, ... (count of them); count 0 is the probes' 127.0.0.1."""
    if count <= 0:
        return None
    i = index % count
    return f"127.0.{i // 250}.{2 + i % 250}"


def cookie_value(response, name):
    for value in response.header("set-cookie"):
        key, _, rest = value.partition("=")
        if key.strip() == name:
            return rest.split(";", 1)[0]
    return None


def new_session_id():
    """The shape SessionStore.isWellFormed accepts: 43 URL-safe base64 characters (32 random bytes)."""
    return base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()


# --- The probe process: /health, a well-behaved client, RSS and descriptor samples ------------------------

def read_status(pid):
    values = {}
    try:
        with open(f"/proc/{pid}/status") as file:
            for line in file:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM", "Threads"):
                    values[key] = int(value.split()[0])
    except OSError:
        pass
    return values


def count_fds(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


async def probe_main(port, pid, good_rate, max_seconds):
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    stdin = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)

    async def watch_stdin():  # the parent closes our stdin (or dies) to stop us
        while await stdin.read(4096):
            pass
        stop.set()

    loop.call_later(max_seconds, stop.set)
    started = loop.time()
    health = {"probes": 0, "timeouts": 0, "errors": 0, "non200": 0, "latencies": [], "miss_at": []}
    good = {"requests": 0, "errors": 0, "non200": 0, "timeouts": 0, "latencies": [], "reconnects": 0}
    samples = {"rss": [], "fds": [], "threads_max": 0, "hwm_kb": 0, "lag_max": 0.0}

    async def health_probe():
        interval, request = 0.1, (f"GET /health HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n\r\n").encode()
        next_at = loop.time()
        while not stop.is_set():
            begin = loop.time()
            writer = None
            outcome = None
            try:
                async def once():
                    nonlocal writer
                    reader, writer = await asyncio.open_connection(HOST, port)
                    writer.write(request)
                    return await read_response(reader)
                response = await asyncio.wait_for(once(), 1.0)
                if response.status != 200:
                    outcome = "non200"
            except (TimeoutError, asyncio.TimeoutError):
                outcome = "timeouts"
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                outcome = "errors"
            finally:
                close_writer(writer)
            health["probes"] += 1
            health["latencies"].append(loop.time() - begin)
            if outcome:
                health[outcome] += 1
                health["miss_at"].append(round(begin - started, 2))
            next_at = max(next_at + interval, loop.time())
            try:
                await asyncio.wait_for(stop.wait(), next_at - loop.time())
            except (TimeoutError, asyncio.TimeoutError):
                pass

    async def good_client():
        interval = 1.0 / good_rate
        request = (f"GET / HTTP/1.1\r\nHost: {HOST}:{port}\r\nAccept: text/html\r\n\r\n").encode()
        reader = writer = None
        next_at = loop.time()
        while not stop.is_set():
            begin = loop.time()
            failed = None
            try:
                async def once():
                    nonlocal reader, writer
                    if writer is None:
                        reader, writer = await asyncio.open_connection(HOST, port)
                        good["reconnects"] += 1
                    writer.write(request)
                    return await read_response(reader)
                response = await asyncio.wait_for(once(), 5.0)
                if response.status != 200:
                    failed = "non200"
                if response.closes:
                    close_writer(writer)
                    writer = None
            except (TimeoutError, asyncio.TimeoutError):
                failed = "timeouts"
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                failed = "errors"
            if failed:
                close_writer(writer)
                writer = None
                good[failed] += 1
            good["requests"] += 1
            good["latencies"].append(loop.time() - begin)
            next_at = max(next_at + interval, loop.time())
            try:
                await asyncio.wait_for(stop.wait(), next_at - loop.time())
            except (TimeoutError, asyncio.TimeoutError):
                pass
        close_writer(writer)

    async def sampler():
        tick = 0
        expected = loop.time()
        while not stop.is_set():
            status = read_status(pid)
            now = loop.time()
            samples["lag_max"] = max(samples["lag_max"], now - expected)  # how late this process itself runs
            if "VmRSS" in status:
                samples["rss"].append((round(now - started, 2), status["VmRSS"]))
                samples["hwm_kb"] = max(samples["hwm_kb"], status.get("VmHWM", 0))
                samples["threads_max"] = max(samples["threads_max"], status.get("Threads", 0))
            if tick % 5 == 0:
                fds = count_fds(pid)
                if fds is not None:
                    samples["fds"].append((round(now - started, 2), fds))
            tick += 1
            expected += 0.1
            try:
                await asyncio.wait_for(stop.wait(), max(0.0, expected - loop.time()))
            except (TimeoutError, asyncio.TimeoutError):
                pass

    watcher = asyncio.create_task(watch_stdin())
    print("ready", flush=True)
    await asyncio.gather(health_probe(), good_client(), sampler())
    watcher.cancel()
    health["misses"] = health["timeouts"] + health["errors"] + health["non200"]
    good["failures"] = good["timeouts"] + good["errors"] + good["non200"]
    for record in (health, good):
        latencies = record.pop("latencies")
        record.update(p50_ms=ms(percentile(latencies, 0.5)), p99_ms=ms(percentile(latencies, 0.99)),
                      max_ms=ms(max(latencies) if latencies else None))
    samples["lag_max_ms"] = ms(samples.pop("lag_max"))
    print(json.dumps({"health": health, "good": good, "samples": samples}), flush=True)


class Probes:
    """This script again, as `--probe-worker`: its timings do not wait on the attack's event loop."""

    def __init__(self, port, pid, good_rate, max_seconds):
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--probe-worker", str(port), str(pid), str(good_rate),
             str(max_seconds)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if line.strip() != "ready":
            self.stop()
            raise RuntimeError("the probe process did not start")

    def stop(self):
        """Closes the worker's stdin (its signal to finish) and returns what it measured."""
        if self.process.returncode is not None:
            return None
        try:
            out, _ = self.process.communicate(input="", timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, _ = self.process.communicate()
        lines = [line for line in (out or "").splitlines() if line.startswith("{")]
        return json.loads(lines[-1]) if lines else None


# --- The server under test ---------------------------------------------------------------------------------

def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def http_get(port, path, timeout=2.0):
    import http.client
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": f"{HOST}:{port}"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


class Server:
    """`app serve` on a free loopback port with a temp DATA_DIR, migrated first, in production mode."""

    def __init__(self, binary, source, pin):
        self.binary, self.source, self.pin = binary, source, pin
        self.directory = Path(tempfile.mkdtemp(prefix="croft-hostile-"))
        self.port = free_port()
        self.process = None
        self.log_path = self.directory / "server.log"
        # BASE_DIR is the temp dir, so no project .env is read; templates and static files come from `source`.
        self.environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
            "LANG": "C.UTF-8", "BASE_DIR": str(self.directory), "DATA_DIR": str(self.directory / "data"),
            "DATABASE_PATH": str(self.directory / "data" / "db.sqlite3"),
            "TEMPLATES_DIR": str(source / "Templates"), "PUBLIC_DIR": str(source / "Public"),
            "ENVIRONMENT": "production", "ALLOWED_HOSTS": HOST, "SECRET_KEY": secrets.token_hex(32),
            "HOST": HOST, "PORT": str(self.port), "LOG_LEVEL": "warning",
        }

    def start(self):
        migrate = subprocess.run([str(self.binary), "migrate"], env=self.environment, cwd=self.directory,
                                 capture_output=True, text=True, timeout=120)
        if migrate.returncode != 0:
            raise RuntimeError(f"app migrate failed ({migrate.returncode}): {migrate.stdout}{migrate.stderr}")
        command = [str(self.binary), "serve"]
        if self.pin:
            command = ["taskset", "-c", "1"] + command  # taskset execs the binary: the PID is the server's
        self.log_file = open(self.log_path, "wb")
        self.process = subprocess.Popen(command, env=self.environment, cwd=self.directory, stdin=subprocess.DEVNULL,
                                        stdout=self.log_file, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"app serve exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if http_get(self.port, "/health", timeout=1.0) == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"app serve did not answer /health within 60 s:\n{self.log_tail()}")

    def warm_up(self):
        for path in ["/", "/accounts/login", "/health"] * 5:
            http_get(self.port, path)

    def rss_mb(self):
        status = read_status(self.process.pid)
        return round(status["VmRSS"] / 1024, 1) if "VmRSS" in status else None

    def log_tail(self, lines=15):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def log_lines(self):
        try:
            return self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return []

    def stop(self):
        """SIGTERM, up to 20 s for the graceful shutdown, then SIGKILL; returns (exit code, seconds)."""
        result = (None, None)
        if self.process is not None and self.process.poll() is None:
            began = time.monotonic()
            try:
                os.kill(self.process.pid, signal.SIGTERM)
                code = self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                code = self.process.wait()
            except ProcessLookupError:
                code = self.process.wait()
            result = (code, round(time.monotonic() - began, 2))
        elif self.process is not None:
            result = (self.process.returncode, 0.0)
        if getattr(self, "log_file", None):
            self.log_file.close()
        return result

    def remove(self):
        shutil.rmtree(self.directory, ignore_errors=True)


# --- The attacks ---------------------------------------------------------------------------------------------

class Context:
    def __init__(self, args, port, seconds):
        self.args, self.port, self.seconds = args, port, seconds
        self.loop = asyncio.get_running_loop()
        self.started = self.loop.time()
        self.deadline = self.started + seconds
        self.hard_deadline = self.deadline + args.tail

    def now(self):
        return self.loop.time() - self.started

    def remaining(self, hard=False):
        return (self.hard_deadline if hard else self.deadline) - self.loop.time()

    @property
    def authority(self):
        return f"{HOST}:{self.port}"


def spread(values):
    if not values:
        return "-"
    low, mid, high = min(values), statistics.median(values), max(values)
    return f"{low:.1f}/{mid:.1f}/{high:.1f}"


def count(values):
    tally = {}
    for value in values:
        tally[str(value)] = tally.get(str(value), 0) + 1
    return dict(sorted(tally.items()))


def drops_text(pairs):
    """(status, seconds held) pairs as `408x20 after 10.1/10.2/10.4 s, 503x5 after ...` (min/median/max)."""
    by_status = {}
    for status, held in pairs:
        by_status.setdefault(str(status), []).append(held)
    return ", ".join(f"{status}x{len(helds)} after {spread(helds)} s" for status, helds in sorted(by_status.items()))


def drop_summary(pairs):
    by_status = {}
    for status, held in pairs:
        by_status.setdefault(str(status), []).append(held)
    return {status: {"count": len(helds), "min_s": round(min(helds), 2), "median_s": round(statistics.median(helds), 2),
                     "max_s": round(max(helds), 2)} for status, helds in sorted(by_status.items())}


def tally_text(tally):
    return " ".join(f"{key}x{value}" for key, value in tally.items()) or "none"


async def slow_body(ctx):
    """Bodies that never finish: most of a 10 MiB body at once, then one byte every `slow_interval` s. A connection
    the server closes is opened again after a second, so the pressure lasts the whole attack."""
    args = ctx.args
    length, prefix = args.slow_length, int(min(args.slow_prefix_mib * 1048576, args.slow_length - 1))
    head = (f"POST /accounts/login HTTP/1.1\r\nHost: {ctx.authority}\r\n"
            f"Content-Type: {args.slow_content_type}\r\nContent-Length: {length}\r\n\r\n").encode()
    filler = b"a" * prefix
    records = []

    async def one(index):
        record = {"slot": index, "opened_at": round(ctx.now(), 1), "sent": 0, "held_s": None, "status": None,
                  "error": None}
        records.append(record)
        reader = writer = None
        try:
            reader, writer = await asyncio.wait_for(connect(ctx.port, source_address(index, args.attack_sources)),
                                                    max(0.01, min(5, ctx.remaining())))
        except (OSError, TimeoutError, asyncio.TimeoutError) as error:
            record["error"] = f"connect: {type(error).__name__}"
            return record
        opened = ctx.now()

        async def watch():
            try:
                first = await reader.read(65536)
                record["status"] = status_of(first) if first else "closed"
                while first and await reader.read(65536):
                    pass
            except OSError:
                record["status"] = record["status"] or "reset"
            record["held_s"] = round(ctx.now() - opened, 1)

        watcher = asyncio.create_task(watch())
        try:
            await send(writer, head + filler, ctx.deadline)
            record["sent"] = len(filler)
            while not watcher.done() and ctx.remaining() > 0:
                await asyncio.wait({watcher}, timeout=min(args.slow_interval, max(0.0, ctx.remaining())))
                if watcher.done() or ctx.remaining() <= 0:
                    break
                await send(writer, b"a", ctx.deadline)
                record["sent"] += 1
        except (TimeoutError, asyncio.TimeoutError):
            record["error"] = "send stalled"
        except OSError as error:
            record["error"] = f"send: {type(error).__name__}"
        if not watcher.done():  # a close just after our last write: give the watcher a moment to see it
            await asyncio.wait({watcher}, timeout=0.2)
        watcher.cancel()
        close_writer(writer)
        return record

    async def slot(index):
        while ctx.remaining() > 0:
            await one(index)
            await asyncio.sleep(min(args.reopen_delay, max(0.0, ctx.remaining())))

    await asyncio.gather(*(slot(index) for index in range(args.slow_connections)))
    connected = [r for r in records if not str(r["error"]).startswith("connect")]
    closed = [r for r in connected if r["held_s"] is not None]
    still_open = len(connected) - len(closed)
    first_round = [r for r in connected if r["opened_at"] < 1.0]
    pairs = [(r["status"], r["held_s"]) for r in closed]
    sent_mib = sum(r["sent"] for r in records) / 1048576
    held = f"the server closed {len(closed)}: {drops_text(pairs)}" if closed else "the server closed none"
    summary = (f"{len(connected)} bodies on {args.slow_connections} slots ({args.slow_content_type}), "
               f"{sent_mib:.1f} MiB sent: {held}; {still_open} still open at {ctx.seconds:.0f} s")
    errors = count(r["error"] for r in records if r["error"])
    if errors:
        summary += f"; errors {tally_text(errors)}"
    return {"summary": summary, "slots": args.slow_connections, "content_length": length, "prefix_bytes": prefix,
            "content_type": args.slow_content_type, "interval_s": args.slow_interval, "bodies": len(connected),
            "still_open_at_end": still_open, "first_round_held_s": [r["held_s"] for r in first_round],
            "closes": drop_summary(pairs), "errors": errors,
            "connections": [[r["opened_at"], r["held_s"], r["status"], r["sent"]] for r in records]}


async def many_connections(ctx):
    """Connections that start a request head and never finish it; each is reopened when the server drops it."""
    args = ctx.args
    partial = (f"GET / HTTP/1.1\r\nHost: {ctx.authority}\r\nUser-Agent: hostile-load\r\nX-Hold: ").encode()
    gate = asyncio.Semaphore(args.connect_concurrency)
    stats = {"attempts": 0, "connected": 0, "open": 0, "peak_open": 0, "connect_errors": {}, "peak_open_at": 0.0,
             "open_at_end": 0}
    drops = []

    async def slot(index):
        while ctx.remaining() > 0:
            reader = writer = None
            async with gate:
                if ctx.remaining() <= 0:
                    return
                stats["attempts"] += 1
                try:
                    reader, writer = await asyncio.wait_for(connect(ctx.port, source_address(index, args.attack_sources)),
                                                            min(5.0, max(0.01, ctx.remaining())))
                    writer.write(partial)
                except (OSError, TimeoutError, asyncio.TimeoutError) as error:
                    name = type(error).__name__
                    stats["connect_errors"][name] = stats["connect_errors"].get(name, 0) + 1
                    close_writer(writer)
                    await asyncio.sleep(min(0.5, max(0.0, ctx.remaining())))
                    continue
            stats["connected"] += 1
            stats["open"] += 1
            if stats["open"] > stats["peak_open"]:
                stats["peak_open"], stats["peak_open_at"] = stats["open"], round(ctx.now(), 1)
            opened = ctx.now()
            try:
                first = await asyncio.wait_for(reader.read(65536), max(0.01, ctx.remaining()))
                drops.append((status_of(first) or "closed", ctx.now() - opened))
            except (TimeoutError, asyncio.TimeoutError):
                stats["open_at_end"] += 1  # the server still holds it when the attack ends
            except OSError:
                drops.append(("reset", ctx.now() - opened))
            finally:
                stats["open"] -= 1
                close_writer(writer)
            if not args.reopen:
                return
            await asyncio.sleep(min(args.reopen_delay, max(0.0, ctx.remaining())))

    await asyncio.gather(*(slot(index) for index in range(args.connections)))
    stats.pop("open")
    summary = (f"{args.connections} slots: {stats['connected']} connects, peak {stats['peak_open']} open "
               f"at {stats['peak_open_at']} s; the server dropped {len(drops)}: {drops_text(drops) or '-'}; "
               f"{stats['open_at_end']} still open at {ctx.seconds:.0f} s")
    if stats["connect_errors"]:
        summary += f"; connect errors {tally_text(stats['connect_errors'])}"
    return {"summary": summary, "slots": args.connections, "reopen": args.reopen, "drops": drop_summary(drops),
            **stats}


async def huge_form(ctx):
    """Forms of 5,000,000 empty fields (10 MB, under the 10 MiB limit) that reach the CSRF check's form parse."""
    args = ctx.args
    body = b"a&" * args.form_pairs
    session = new_session_id()
    head = (f"POST /accounts/login HTTP/1.1\r\nHost: {ctx.authority}\r\nOrigin: http://{ctx.authority}\r\n"
            f"Cookie: croft_session={session}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    results = []

    async def client(index):
        while ctx.remaining() > 0:
            begin = ctx.now()
            writer = None
            try:
                async def once():
                    nonlocal writer
                    reader, writer = await connect(ctx.port, source_address(index, args.attack_sources))
                    await send(writer, head + body, ctx.hard_deadline)
                    return await read_response(reader)
                response = await asyncio.wait_for(once(), max(0.01, ctx.remaining(hard=True)))
                results.append((response.status, ctx.now() - begin))
            except (TimeoutError, asyncio.TimeoutError):
                results.append(("no answer", ctx.now() - begin))
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
                results.append((type(error).__name__, ctx.now() - begin))
                await asyncio.sleep(0.1)
            finally:
                close_writer(writer)

    await asyncio.gather(*(client(index) for index in range(args.form_clients)))
    answered = [seconds for status, seconds in results if isinstance(status, int)]
    statuses = count(status for status, _ in results)
    summary = (f"{len(results)} requests by {args.form_clients} clients: {tally_text(statuses)}; "
               f"answered in {spread(answered)} s")
    return {"summary": summary, "body_bytes": len(body), "clients": args.form_clients, "statuses": statuses,
            "answer_s": {"min": min(answered, default=None), "median": statistics.median(answered) if answered else None,
                         "max": max(answered, default=None)},
            "requests": [[status, round(seconds, 2)] for status, seconds in results]}


async def login_flood(ctx):
    """Wrong passwords for random emails, each with a valid session cookie and CSRF token."""
    args = ctx.args
    statuses, latencies, setup_failures = {}, [], {}
    token_pattern = re.compile(rb'name="csrf_token" value="([^"]+)"')

    def note(tally, key):
        tally[str(key)] = tally.get(str(key), 0) + 1

    async def client(index):
        rng = random.Random(index)
        reader = writer = None
        cookie = token = None
        while ctx.remaining() > 0:
            try:
                if writer is None:
                    reader, writer = await asyncio.wait_for(connect(ctx.port, source_address(index, args.attack_sources)),
                                                            max(0.01, ctx.remaining()))
                if token is None:
                    writer.write(f"GET /accounts/login HTTP/1.1\r\nHost: {ctx.authority}\r\n\r\n".encode())
                    page = await asyncio.wait_for(read_response(reader), max(0.01, ctx.remaining(hard=True)))
                    cookie, found = cookie_value(page, "croft_session"), token_pattern.search(page.body)
                    if page.closes:
                        close_writer(writer)
                        writer = None
                    if page.status != 200 or not cookie or not found:
                        note(setup_failures, f"GET {page.status}")
                        await asyncio.sleep(0.2)
                        continue
                    token = found.group(1).decode()
                    continue
                form = urllib.parse.urlencode({
                    "csrf_token": token, "next": "",
                    "email": f"user{rng.randrange(10**9)}@example.com",
                    "password": f"wrong-{rng.randrange(10**9)}"}).encode()
                request = (f"POST /accounts/login HTTP/1.1\r\nHost: {ctx.authority}\r\nOrigin: http://{ctx.authority}\r\n"
                           f"Cookie: croft_session={cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                           f"Content-Length: {len(form)}\r\n\r\n").encode() + form
                begin = ctx.now()
                writer.write(request)
                try:
                    response = await asyncio.wait_for(read_response(reader), max(0.01, ctx.remaining(hard=True)))
                except (TimeoutError, asyncio.TimeoutError):
                    note(statuses, "no answer")
                    latencies.append(ctx.now() - begin)
                    break
                note(statuses, response.status)
                latencies.append(ctx.now() - begin)
                if response.closes:
                    close_writer(writer)
                    writer = None
            except (TimeoutError, asyncio.TimeoutError):
                break
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
                note(statuses, type(error).__name__)
                close_writer(writer)
                writer = None
                await asyncio.sleep(0.1)
        close_writer(writer)

    await asyncio.gather(*(client(index) for index in range(args.flood_clients)))
    statuses = dict(sorted(statuses.items()))
    summary = (f"{sum(statuses.values())} POSTs by {args.flood_clients} clients: {tally_text(statuses)}; "
               f"latency p50 {ms(percentile(latencies, 0.5))} ms, max {ms(max(latencies, default=None))} ms")
    if setup_failures:
        summary += f"; form fetch failures {tally_text(setup_failures)}"
    return {"summary": summary, "clients": args.flood_clients, "statuses": statuses,
            "answered_per_s": round(sum(v for k, v in statuses.items() if k.isdigit()) / ctx.seconds, 2),
            "latency_ms": {"p50": ms(percentile(latencies, 0.5)), "p99": ms(percentile(latencies, 0.99)),
                           "max": ms(max(latencies, default=None))},
            "setup_failures": setup_failures}


RUNNERS = {"slow-body": slow_body, "many-connections": many_connections, "huge-form": huge_form,
           "login-flood": login_flood}


async def run_attack(name, args, port, seconds):
    ctx = Context(args, port, seconds)
    try:
        outcome = await asyncio.wait_for(RUNNERS[name](ctx), seconds + args.tail + 10)
    except (TimeoutError, asyncio.TimeoutError):
        outcome = {"summary": f"attack did not finish within {seconds + args.tail + 10:.0f} s (cancelled)"}
    outcome["elapsed_s"] = round(ctx.now(), 1)
    return outcome


# --- One attack against one fresh server ------------------------------------------------------------------

def measure(name, args, binary, source, seconds):
    server = Server(binary, source, args.pin)
    probes = None
    log_start = 0
    result = {"attack": name, "seconds": seconds}
    try:
        server.start()
        server.warm_up()
        time.sleep(1.0)
        result["baseline_rss_mb"] = server.rss_mb()
        result["baseline_fds"] = count_fds(server.process.pid)
        log_start = len(server.log_lines())
        probes = Probes(server.port, server.process.pid, args.good_rate, seconds + args.tail + 40)
        log(f"[{name}] server pid {server.process.pid} on port {server.port}, baseline {result['baseline_rss_mb']} MB; "
            f"attacking for {seconds:.0f} s")
        result["outcome"] = asyncio.run(run_attack(name, args, server.port, seconds))
        time.sleep(0.5)  # let the probes see the server just after the attack's sockets closed
        measured = probes.stop()
        probes = None
        time.sleep(1.5)
        result["after_rss_mb"] = server.rss_mb()
        result["server_alive"] = server.process.poll() is None
        if measured:
            samples = measured.pop("samples")
            rss = [kb for _, kb in samples["rss"]]
            result["peak_rss_mb"] = round(max(rss) / 1024, 1) if rss else None
            result["hwm_mb"] = round(samples["hwm_kb"] / 1024, 1) if samples["hwm_kb"] else None
            result["peak_fds"] = max((n for _, n in samples["fds"]), default=None)
            result["peak_threads"] = samples["threads_max"]
            result["probe_lag_max_ms"] = samples["lag_max_ms"]
            result["rss_series_mb"] = [[t, round(kb / 1024, 1)] for t, kb in samples["rss"][::5]]
            result.update(measured)
            if name == "many-connections" and result["peak_fds"] is not None and result["baseline_fds"] is not None:
                kept = result["peak_fds"] - result["baseline_fds"]
                result["outcome"]["server_peak_client_sockets"] = kept
                result["outcome"]["summary"] += f"; the server held up to {kept} of them at once"
    except Exception as error:  # report and move on to the next attack
        result["error"] = f"{type(error).__name__}: {error}"
    finally:
        try:
            if probes is not None:
                probes.stop()
        finally:
            code, took = server.stop()
        result["server_exit"] = {"code": code, "seconds_after_sigterm": took}
        lines = server.log_lines()[log_start:]  # what the server logged from the attack on (LOG_LEVEL=warning)
        result["server_log_lines"] = len(lines)
        result["server_log_sample"] = distinct_log_lines(lines)
        server.remove()
    judge(result, args)
    return result


def distinct_log_lines(lines, limit=8):
    """A few different lines from the server's log, numbers and ids blurred so repeats collapse."""
    seen, sample = set(), []
    for line in lines:
        key = re.sub(r"\d+", "N", re.sub(r"^\S+\s+", "", line))[:120]
        if key not in seen:
            seen.add(key)
            sample.append(line[:300])
        if len(sample) >= limit:
            break
    return sample


def judge(result, args):
    failed = []
    if "error" in result or "health" not in result:
        result["verdict"], result["failed"] = "ERROR", ["run"]
        return
    peak = result.get("hwm_mb") or result.get("peak_rss_mb")
    if peak is None or peak >= args.rss_limit:
        failed.append("rss")
    if result["health"]["misses"] > 0:
        failed.append("health")
    good = result["good"]
    if good["p99_ms"] is None or good["p99_ms"] >= args.p99_limit or good["failures"] > 0:
        failed.append("p99" if good["failures"] == 0 else "good")
    if not result.get("server_alive", False):
        failed.append("died")
    result["failed"] = failed
    result["verdict"] = "PASS" if not failed else "FAIL"


# --- Build ---------------------------------------------------------------------------------------------------

def sync_tree(sha, destination):
    """Makes `destination` the tree of commit `sha`, rewriting only the files that differ, so the release
    build in the scratch dir next to it stays incremental from one revision to the next."""
    staging = Path(tempfile.mkdtemp(prefix="croft-ref-"))
    try:
        archive = subprocess.Popen(["git", "-C", str(REPO), "archive", sha], stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", "-C", str(staging)], stdin=archive.stdout, check=True)
        if archive.wait() != 0:
            raise SystemExit(f"git archive {sha} failed")
        if (REPO / "Package.resolved").exists() and not (staging / "Package.resolved").exists():
            shutil.copy(REPO / "Package.resolved", staging / "Package.resolved")  # the same dependency versions
        wanted = {path.relative_to(staging) for path in staging.rglob("*") if not path.is_dir()}
        destination.mkdir(parents=True, exist_ok=True)
        present = {path.relative_to(destination) for path in destination.rglob("*") if not path.is_dir()}
        for relative in present - wanted:
            (destination / relative).unlink()
        for relative in wanted:
            source, target = staging / relative, destination / relative
            if target.is_file() and not target.is_symlink() and not source.is_symlink() \
                    and target.read_bytes() == source.read_bytes():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink() or target.exists():
                target.unlink()
            shutil.move(str(source), str(target))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def build(args):
    """Returns (binary, source dir for Templates/ and Public/, description)."""
    if args.binary:
        binary = Path(args.binary).resolve()
        if not os.access(binary, os.X_OK):
            raise SystemExit(f"--binary {binary} is not an executable file")
        return binary, Path(args.source).resolve() if args.source else REPO, f"given binary {args.binary}"
    package, scratch, what = REPO, REPO / SCRATCH, "the work tree"
    if args.ref:
        sha = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--verify", f"{args.ref}^{{commit}}"],
                             capture_output=True, text=True)
        if sha.returncode != 0:
            raise SystemExit(f"--ref {args.ref}: {sha.stderr.strip()}")
        sha = sha.stdout.strip()
        root = REPO / SCRATCH / "ref"
        package, scratch, what = root / "src", root / "build", f"{args.ref} ({sha[:12]})"
        sync_tree(sha, package)
    command = ["swift", "build", "-c", "release", "--product", "app", "--scratch-path", str(scratch)]
    if shutil.which("nice"):
        command = ["nice", "-n", "10"] + command
    log(f"building {what}: {' '.join(command[3:] if command[0] == 'nice' else command)}")
    scratch.mkdir(parents=True, exist_ok=True)
    log_path = scratch / "hostile-build.log"
    began = time.monotonic()
    with open(log_path, "w") as output:
        built = subprocess.run(command, cwd=package, stdout=output, stderr=subprocess.STDOUT)
    if built.returncode != 0:
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-25:])
        raise SystemExit(f"the release build failed (full log: {log_path}):\n{tail}")
    bin_path = subprocess.run(command[command.index("swift"):] + ["--show-bin-path"], cwd=package,
                              capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    log(f"built in {time.monotonic() - began:.0f} s")
    return Path(bin_path) / "app", package, f"built from {what}"


# --- Report ------------------------------------------------------------------------------------------------

def fmt(value, suffix=""):
    return "-" if value is None else f"{value}{suffix}"


def attack_origin(sources):
    if sources <= 0:
        return f"{HOST} (the probes' address)"
    last = source_address(sources - 1, sources)
    return source_address(0, sources) + (f" to {last} ({sources} addresses)" if sources > 1 else "")


def print_table(results, args, meta):
    headers = ["attack", "base RSS", "peak RSS", "/health miss", "/health p99", "good p50", "good p99", "verdict"]
    rows = []
    for r in results:
        health = r.get("health") or {}
        good = r.get("good") or {}
        peak = r.get("hwm_mb") or r.get("peak_rss_mb")
        verdict = r["verdict"] + (f" ({','.join(r['failed'])})" if r.get("failed") and r["verdict"] == "FAIL" else "")
        good_p99 = fmt(good.get("p99_ms"), " ms")
        if good.get("failures"):
            good_p99 += f", {good['failures']} failed"
        rows.append([r["attack"], fmt(r.get("baseline_rss_mb"), " MB"), fmt(peak, " MB"),
                     f"{health['misses']}/{health['probes']}" if health else "-", fmt(health.get("p99_ms"), " ms"),
                     fmt(good.get("p50_ms"), " ms"), good_p99, verdict])
    widths = [max(len(str(row[i])) for row in rows + [headers]) for i in range(len(headers))]
    line = lambda cells: "  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(cells)).rstrip()
    print()
    print(f"server: {meta['binary']}; repo at {meta['git']}; "
          f"{'server on cpu 1, clients on cpu 0' if meta['pinned'] else 'not pinned'}; "
          f"attack from {attack_origin(meta['attack_sources'])}; "
          f"load average at start {' '.join(f'{v:.2f}' for v in meta['load_average_at_start'])}")
    print(f"targets: peak RSS < {args.rss_limit:g} MB, 0 /health misses, good-client p99 < {args.p99_limit:g} ms "
          f"(and no failed request)")
    print(line(headers))
    print(line(["-" * w for w in widths]))
    for row in rows:
        print(line(row))
    print()
    for r in results:
        print(f"{r['attack']}: {r.get('outcome', {}).get('summary') or r.get('error', '-')}")
        extra = []
        if r.get("peak_rss_mb") is not None:
            extra.append(f"highest 100 ms sample {r['peak_rss_mb']} MB")
        if r.get("after_rss_mb") is not None:
            extra.append(f"RSS 2 s after the attack {r['after_rss_mb']} MB")
        if r.get("peak_fds") is not None:
            extra.append(f"peak fds {r['peak_fds']} (baseline {r.get('baseline_fds')})")
        if r.get("peak_threads"):
            extra.append(f"peak threads {r['peak_threads']}")
        health = r.get("health")
        if health and health["misses"]:
            extra.append(f"/health misses: {health['timeouts']} timeouts, {health['errors']} errors, "
                         f"{health['non200']} non-200 (first at {health['miss_at'][0]} s)")
        good = r.get("good")
        if good:
            extra.append(f"good client {good['requests']} requests, max {good['max_ms']} ms")
        exit_info = r.get("server_exit") or {}
        if exit_info.get("code") not in (0, None):
            extra.append(f"server exit {exit_info['code']} after {exit_info['seconds_after_sigterm']} s")
        elif exit_info.get("seconds_after_sigterm") is not None:
            extra.append(f"SIGTERM to exit {exit_info['seconds_after_sigterm']} s")
        if r.get("server_log_lines"):
            extra.append(f"{r['server_log_lines']} server log lines, e.g. {r['server_log_sample'][0][:160]!r}")
        if extra:
            print("    " + "; ".join(extra))


# --- Main --------------------------------------------------------------------------------------------------

def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    parser.add_argument("--attack", action="append", help=f"one of {', '.join(ATTACKS)} (repeatable, or comma-separated)")
    parser.add_argument("--seconds", type=float, help="length of every attack (default: slow-body 40, others 20)")
    parser.add_argument("--tail", type=float, default=10.0, help="how long answers in flight are awaited after an attack (10)")
    parser.add_argument("--binary", help="the `app` executable to run (skips the build)")
    parser.add_argument("--source", help="with --binary: the tree whose Templates/ and Public/ it serves (this repo)")
    parser.add_argument("--ref", help="build this git revision (exported to .build-release/ref/src, built in .build-release/ref/build) instead of the work tree")
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--no-pin", dest="pin", action="store_false", help="do not pin the server to cpu 1 and the clients to cpu 0")
    parser.add_argument("--rss-limit", type=float, default=150.0, help="target peak RSS in MB (150)")
    parser.add_argument("--p99-limit", type=float, default=50.0, help="target good-client p99 in ms (50)")
    parser.add_argument("--good-rate", type=float, default=15.0, help="well-behaved GET / per second (15)")
    parser.add_argument("--attack-sources", type=int, default=1,
                        help="loopback addresses the attack comes from: 127.0.0.2 onwards (1); 0 = the probes' own 127.0.0.1")
    parser.add_argument("--reopen-delay", type=float, default=1.0,
                        help="slow-body, many-connections: pause before reopening a connection the server closed (1 s)")
    parser.add_argument("--slow-connections", type=int, default=20)
    parser.add_argument("--slow-content-type", default="application/octet-stream",
                        help="slow-body's Content-Type (application/octet-stream: a form type may be refused by size at once)")
    parser.add_argument("--slow-length", type=int, default=10 * 1024 * 1024, help="declared Content-Length (10 MiB)")
    parser.add_argument("--slow-prefix-mib", type=float, default=6.0, help="body sent at once before the trickle (6)")
    parser.add_argument("--slow-interval", type=float, default=7.0, help="seconds between trickled bytes (7)")
    parser.add_argument("--connections", type=int, default=5000, help="many-connections: connections held at once (5000)")
    parser.add_argument("--connect-concurrency", type=int, default=256, help="many-connections: connects in flight (256)")
    parser.add_argument("--no-reopen", dest="reopen", action="store_false", help="many-connections: do not reopen dropped ones")
    parser.add_argument("--form-pairs", type=int, default=5_000_000, help="huge-form: `a&` repetitions (5,000,000)")
    parser.add_argument("--form-clients", type=int, default=3)
    parser.add_argument("--flood-clients", type=int, default=32)
    args = parser.parse_args(argv)
    names = []
    for item in args.attack or list(ATTACKS):
        for name in item.split(","):
            name = ALIASES.get(name.strip(), name.strip())
            if name not in ATTACKS:
                parser.error(f"unknown attack {name!r}: choose from {', '.join(ATTACKS)}")
            if name not in names:
                names.append(name)
    args.attacks = names
    return args


def raise_fd_limit(wanted):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, wanted)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def main(argv):
    if len(argv) == 5 and argv[0] == "--probe-worker":
        port, pid, rate, max_seconds = int(argv[1]), int(argv[2]), float(argv[3]), float(argv[4])
        asyncio.run(probe_main(port, pid, rate, max_seconds))
        return 0
    args = parse_arguments(argv)
    limit = raise_fd_limit(args.connections + 500)
    if "many-connections" in args.attacks and args.connections > limit - 300:
        log(f"descriptor limit {limit}: holding {limit - 300} connections instead of {args.connections}")
        args.connections = limit - 300
    if args.pin:
        if (os.cpu_count() or 1) < 2 or not shutil.which("taskset") or not {0, 1} <= os.sched_getaffinity(0):
            log("fewer than 2 usable cpus or no taskset: not pinning")
            args.pin = False
        else:
            os.sched_setaffinity(0, {0})  # this script and its probe process; the server goes on cpu 1
    binary, source, built = build(args)
    meta = {
        "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "binary": built,
        "git": subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"],
                              capture_output=True, text=True).stdout.strip(),
        "ref": args.ref, "pinned": args.pin, "cpus": os.cpu_count(), "attack_sources": args.attack_sources,
        "load_average_at_start": os.getloadavg(), "client_fd_limit": limit,
        "targets": {"rss_mb": args.rss_limit, "health_misses": 0, "good_p99_ms": args.p99_limit},
    }
    results = []
    for name in args.attacks:
        seconds = args.seconds if args.seconds is not None else DEFAULT_SECONDS[name]
        result = measure(name, args, binary, source, seconds)
        log(f"[{name}] {result['verdict']}: {result.get('outcome', {}).get('summary') or result.get('error')}")
        results.append(result)
    print_table(results, args, meta)
    if args.json:
        Path(args.json).write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
        log(f"wrote {args.json}")
    if any(r["verdict"] == "ERROR" for r in results):
        return 2
    return 0 if all(r["verdict"] == "PASS" for r in results) else 1


def terminated(signum, frame):
    raise KeyboardInterrupt  # unwinds through the finally blocks that stop the server and remove its temp dir


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, terminated)
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)

#!/usr/bin/env python3
"""Mixed read/write HTTP load in the shape of Anže Pečar's Django SQLite benchmark.

    python3 Benchmarks/mixed_load.py http://127.0.0.1:8000 [--users 100] [--duration 20] [--write-share 0.5]

https://blog.pecar.me/django-sqlite-benchmark: 100 concurrent users (locust, no wait time), "about half
of the requests write a row to the database, and the other half read ten rows". Here each user is one
keep-alive connection that loops for --duration seconds; each request is a write (POST /write, one
INSERT in BEGIN IMMEDIATE) with probability --write-share, else a read (GET /queries?q=10: ten rows).
Latency is measured per request, from the first byte sent to the last byte read, and reported per type:
count, req/s, failures (non-2xx, including 503 "database is locked", and socket errors), p50/p99/max.
Closed loop on one asyncio thread: when the client is the bottleneck (fast servers), latencies include
its own scheduling delay, so they are an upper bound. Only 127.0.0.1 / localhost URLs are accepted.
"""
import argparse
import asyncio
import json
import random
import sys
import time
from urllib.parse import urlsplit


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, int(round(p * (len(sorted_values) - 1)))))
    return sorted_values[k]


async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    chunked = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    closes = b"connection: close" in head.lower()
    return status, closes


async def user(host, port, deadline, args, results, rng):
    read_req = (f"GET {args.read_path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n").encode()
    body = b'{"msg":"hello from mixed_load"}'
    write_req = (f"POST {args.write_path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    reader = writer = None
    while time.monotonic() < deadline:
        kind = "write" if rng.random() < args.write_share else "read"
        start = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            writer.write(write_req if kind == "write" else read_req)
            status, closes = await asyncio.wait_for(read_response(reader), args.timeout)
            elapsed = time.perf_counter() - start
            results[kind].append((elapsed, 200 <= status < 300))
            if status == 503:
                results["locked"] += 1
            if closes:
                writer.close()
                writer = None
        except Exception:  # socket error or timeout: a failure, then reconnect
            results[kind].append((time.perf_counter() - start, False))
            results["socket_errors"] += 1
            if writer is not None:
                writer.close()
            writer = None
            await asyncio.sleep(0.01)
    if writer is not None:
        writer.close()


async def main(args):
    url = urlsplit(args.url)
    if url.hostname not in ("127.0.0.1", "localhost"):
        sys.exit("refusing non-loopback target")
    results = {"read": [], "write": [], "locked": 0, "socket_errors": 0}
    rng = random.Random(42)
    start = time.monotonic()
    deadline = start + args.duration
    tasks = []
    for i in range(args.users):
        tasks.append(asyncio.create_task(user(url.hostname, url.port or 80, deadline, args, results, random.Random(rng.random()))))
        if args.ramp:
            await asyncio.sleep(args.ramp / args.users)
    await asyncio.gather(*tasks)
    wall = time.monotonic() - start
    summary = {"target": args.name or args.url, "users": args.users, "seconds": round(wall, 1),
               "write_share": args.write_share, "locked_503": results["locked"],
               "socket_errors": results["socket_errors"]}
    total = 0
    for kind in ("read", "write"):
        samples = results[kind]
        lat = sorted(s[0] * 1000 for s in samples)
        fails = sum(1 for s in samples if not s[1])
        total += len(samples)
        summary[kind] = {"requests": len(samples), "rps": round(len(samples) / wall, 1), "failures": fails,
                         "p50_ms": round(percentile(lat, 0.50), 2), "p99_ms": round(percentile(lat, 0.99), 2),
                         "max_ms": round(lat[-1], 2) if lat else None}
    summary["rps"] = round(total / wall, 1)
    print(json.dumps(summary))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("--name", default="")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--ramp", type=float, default=0, help="seconds over which users start (locust spawn rate)")
    parser.add_argument("--write-share", type=float, default=0.5)
    parser.add_argument("--read-path", default="/queries?q=10")
    parser.add_argument("--write-path", default="/write")
    parser.add_argument("--timeout", type=float, default=10)
    asyncio.run(main(parser.parse_args()))

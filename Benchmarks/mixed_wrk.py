#!/usr/bin/env python3
"""Mixed reads and writes with two wrk processes at once: Pečar's shape measured by a C load generator.

    python3 Benchmarks/mixed_wrk.py http://127.0.0.1:8090 --name croft [--users 100] [--duration 20]

Half the users (keep-alive connections) read ten rows (GET /queries?q=10), the other half write one row
(POST /write, ../shared/bench/write.lua: one INSERT in BEGIN IMMEDIATE), all at the same time; both wrk
processes are pinned to cpu 0 (WRK_CPU). wrk measures every request's latency, so p50/p99/max per type are
exact even when the server is fast (the asyncio client in mixed_load.py saturates first, and its latencies
then include its own scheduling). Prints one JSON line in mixed_load.py's format. Loopback only.
"""
import argparse
import json
import os
import re
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))


def ms(text):
    value = float(re.match(r"[\d.]+", text).group())
    if text.endswith("us"):
        return value / 1000
    if text.endswith("ms"):
        return value
    if text.endswith("s"):
        return value * 1000
    return value


def parse(output, seconds):
    get = lambda pattern: re.search(pattern, output, re.M)
    requests = int(get(r"^\s*(\d+) requests in").group(1))
    non2xx = int(get(r"Non-2xx or 3xx responses: (\d+)").group(1)) if get(r"Non-2xx") else 0
    sockets = get(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
    socket_errors = sum(int(x) for x in sockets.groups()) if sockets else 0
    latency = get(r"^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)")
    return {"requests": requests, "rps": float(get(r"^Requests/sec:\s+([\d.]+)").group(1)),
            "failures": non2xx + socket_errors, "non2xx": non2xx,
            "p50_ms": round(ms(get(r"^\s+50%\s+(\S+)").group(1)), 2),
            "p99_ms": round(ms(get(r"^\s+99%\s+(\S+)").group(1)), 2),
            "max_ms": round(ms(latency.group(3)), 2)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("--name", default="")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--read-path", default="/queries?q=10")
    parser.add_argument("--write-path", default="/write")
    parser.add_argument("--save", default="", help="folder for the raw wrk output")
    args = parser.parse_args()
    if not re.match(r"http://(127\.0\.0\.1|localhost)[:/]", args.url):
        sys.exit("refusing non-loopback target")
    cpu = os.environ.get("WRK_CPU", "0")
    pin = ["taskset", "-c", cpu] if cpu else []
    common = ["wrk", "-t1", f"-d{args.duration}s", "--timeout", "10s", "--latency"]
    writers = args.users // 2
    readers = args.users - writers
    bench = os.environ.get("BENCH_DIR", os.path.join(here, "..", "..", "shared", "bench"))
    read = subprocess.Popen(pin + common + [f"-c{readers}", args.url + args.read_path],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    write = subprocess.Popen(pin + common + [f"-c{writers}", "-s", os.path.join(bench, "write.lua"),
                                             args.url + args.write_path],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    read_out, _ = read.communicate()
    write_out, _ = write.communicate()
    if args.save:
        os.makedirs(args.save, exist_ok=True)
        for kind, text in (("read", read_out), ("write", write_out)):
            with open(os.path.join(args.save, f"mixed_{args.name or 'target'}_{kind}.txt"), "w") as f:
                f.write(text)
    for kind, text in (("read", read_out), ("write", write_out)):
        if not re.search(r"^\s*\d+ requests in", text, re.M):
            first = (text.strip().splitlines() or ["no output"])[0]
            sys.exit(f"mixed_wrk: the {kind} wrk run against {args.url} measured nothing ({first})")
    r, w = parse(read_out, args.duration), parse(write_out, args.duration)
    print(json.dumps({"target": args.name or args.url, "users": args.users, "seconds": args.duration,
                      "write_share": round(w["requests"] / max(1, w["requests"] + r["requests"]), 2),
                      "locked_503": w["non2xx"], "socket_errors": 0, "read": r, "write": w,
                      "rps": round(r["rps"] + w["rps"], 1), "client": "wrk x2"}))


if __name__ == "__main__":
    main()

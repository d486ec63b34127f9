#!/usr/bin/env python3
"""Turn one Benchmarks/run folder into the markdown tables of docs/benchmarks.md.

    python3 Benchmarks/report.py Benchmarks/results/run-<timestamp>

Reads wrk/results.tsv (written by ../shared/bench/run.sh), facts.tsv, rss.tsv and mixed.jsonl.
One table per test: Croft's req/s, p50/p99 latency and errors at each connection count, then each
peer's req/s (with its p99) and Croft's throughput divided by the peer's ("4.2×" = Croft 4.2 times faster).
"croft" is the epoll poller; when the run also measured "croft-dispatch" (the Dispatch poller), a line
under each table gives its req/s, its ratio to epoll and to each Swift peer.
Errors are non-2xx responses plus socket errors (connect/read/write/timeout) as wrk counts them.
"""
import csv
import json
import os
import sys

out = sys.argv[1]
results_path = os.path.join(out, "wrk", "results.tsv")  # absent when the run had no wrk tests (TESTS="")
rows = list(csv.DictReader(open(results_path), delimiter="\t")) if os.path.exists(results_path) else []


def errors(r):
    return sum(int(r[k] or 0) for k in ("non2xx", "sock_connect", "sock_read", "sock_write", "sock_timeout"))


def fmt_rps(v):
    return f"{v:,.0f}"


endpoints = []
for r in rows:
    if r["endpoint"] not in endpoints:
        endpoints.append(r["endpoint"])
for ep in endpoints:
    sel = [r for r in rows if r["endpoint"] == ep]
    peers = []
    for r in sel:
        if r["target"] not in ("croft", "croft-dispatch") and r["target"] not in peers:
            peers.append(r["target"])
    method = "POST" if ep == "write" else "GET"
    print(f"\n#### {method} /{ep}\n")
    head = "| -c | croft req/s | p50 ms | p99 ms | errors |"
    line = "|---:|---:|---:|---:|---:|"
    for p in peers:
        head += f" {p} req/s (p99 ms) | croft ÷ {p} |"
        line += "---:|---:|"
    print(head)
    print(line)
    conns = []
    for r in sel:
        if r["conns"] not in conns:
            conns.append(r["conns"])
    for c in conns:
        croft = next((r for r in sel if r["target"] == "croft" and r["conns"] == c), None)
        if croft is None:
            continue
        crps = float(croft["rps"] or 0)
        cells = f"| {c} | {fmt_rps(crps)} | {croft['p50_ms']} | {croft['p99_ms']} | {errors(croft)} |"
        for p in peers:
            pr = next((r for r in sel if r["target"] == p and r["conns"] == c), None)
            if pr is None:
                cells += " — | — |"
                continue
            prps = float(pr["rps"] or 0)
            e = errors(pr)
            extra = f", {e} errors" if e else ""
            ratio = f"{crps / prps:.1f}×" if prps else "n/a"
            cells += f" {fmt_rps(prps)} ({pr['p99_ms']}{extra}) | {ratio} |"
        print(cells)
    dispatch = [r for r in sel if r["target"] == "croft-dispatch"]
    if dispatch:
        swift_peers = [p for p in peers if p in ("hummingbird", "flyingfox", "vapor")]
        print("\n| -c | croft-dispatch req/s (p99 ms) | dispatch ÷ epoll |" + "".join(f" dispatch ÷ {p} |" for p in swift_peers))
        print("|---:|---:|---:|" + "---:|" * len(swift_peers))
        for d in dispatch:
            drps = float(d["rps"] or 0)
            croft = next((r for r in sel if r["target"] == "croft" and r["conns"] == d["conns"]), None)
            crps = float(croft["rps"] or 0) if croft else 0
            cells = f"| {d['conns']} | {fmt_rps(drps)} ({d['p99_ms']}) | {f'{drps / crps:.2f}×' if crps else 'n/a'} |"
            for p in swift_peers:
                pr = next((r for r in sel if r["target"] == p and r["conns"] == d["conns"]), None)
                prps = float(pr["rps"] or 0) if pr else 0
                cells += f" {f'{drps / prps:.1f}×' if prps else 'n/a'} |"
            print(cells)

mixed = os.path.join(out, "mixed.jsonl")
if os.path.exists(mixed):
    print("\n#### Mixed reads and writes (Pečar's shape: 100 users, half the requests write)\n")
    print("| target (client) | users | req/s | failures | 503 locked | write p50 ms | write p99 ms | write max ms | read p50 ms | read p99 ms | read max ms | writes/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for line in open(mixed):
        m = json.loads(line)
        w, r = m["write"], m["read"]
        fails = w["failures"] + r["failures"]
        print(f"| {m['target']} ({m.get('client', 'asyncio')}) | {m['users']} | {m['rps']:,.0f} | {fails} | {m['locked_503']} | {w['p50_ms']} | {w['p99_ms']} | {w['max_ms']} "
              f"| {r['p50_ms']} | {r['p99_ms']} | {r['max_ms']} | {w['rps']:,.0f} |")

def key_value_table(name, title, head, align):
    """Prints a two-column table from a name<TAB>value file of the run, when the run wrote it."""
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return
    print(f"\n#### {title}\n")
    print(head)
    print(align)
    for line in open(path):
        k, _, v = line.rstrip("\n").partition("\t")
        print(f"| {k} | {v} |")


key_value_table("facts.tsv", "Croft server facts (same run)", "| measure | value |", "|---|---|")
key_value_table("rss.tsv", "Croft RSS after each test", "| after | RSS |", "|---|---:|")

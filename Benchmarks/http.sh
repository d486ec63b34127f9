#!/usr/bin/env bash
# HTTP benchmark: Croft's /plaintext and /json next to nginx, Hummingbird and FlyingFox, measured in one run
# with wrk (../shared/bench/run.sh). Servers are pinned to cpu 1, wrk to cpu 0. Also reports idle RSS, RSS
# after load and with 10,000 idle keep-alive connections, and time to first response.
#
#   Benchmarks/http.sh                  # everything (about 6 minutes once the peers are built)
#   PEERS="hummingbird" CONNS=64 DURATION=5s Benchmarks/http.sh
#
# Only 127.0.0.1 is targeted; every process started here is stopped on exit.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
bench="${BENCH_DIR:-$repo/../shared/bench}"
PEERS="${PEERS:-hummingbird flyingfox nginx}"
CROFT_PORT="${CROFT_PORT:-8000}"
export CONNS="${CONNS:-16 64 256}" DURATION="${DURATION:-8s}"
out="$repo/Benchmarks/results/http-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
command -v wrk >/dev/null || { as_root apt-get update -qq; as_root apt-get install -y -qq wrk; }
[ -x "$bench/peers/hummingbird-peer/.build/release/Server" ] || "$bench/build_peers.sh"

(cd "$repo" && swift build -c release --product croft-bench 2>&1 | tail -1)
binary="$repo/.build/release/croft-bench"

croft_pid=""
cleanup() {
  [ -n "$croft_pid" ] && kill "$croft_pid" 2>/dev/null || true
  "$bench/peers/stop_all.sh" >/dev/null 2>&1 || true
}
trap cleanup EXIT

rss() { awk '/VmRSS/ {printf "%.1f MB", $2/1024}' "/proc/$1/status"; }

start_ns=$(date +%s%N)
PORT="$CROFT_PORT" taskset -c 1 "$binary" > "$out/croft.log" 2>&1 &
croft_pid=$!
until curl -fsS -o /dev/null "http://127.0.0.1:$CROFT_PORT/plaintext" 2>/dev/null; do
  kill -0 "$croft_pid" || { cat "$out/croft.log"; exit 1; }
  sleep 0.005
done
first_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
idle_rss=$(rss "$croft_pid")
binary_size=$(du -h "$binary" | cut -f1)

SERVER_CPUS=1 "$bench/peers/start_all.sh" $PEERS > "$out/peers.log" 2>&1

targets=("croft=http://127.0.0.1:$CROFT_PORT")
json_targets=("croft=http://127.0.0.1:$CROFT_PORT")
for peer in $PEERS; do
  case "$peer" in
    nginx) targets+=("nginx=http://127.0.0.1:8080");;
    flyingfox) targets+=("flyingfox=http://127.0.0.1:8081"); json_targets+=("flyingfox=http://127.0.0.1:8081");;
    hummingbird) targets+=("hummingbird=http://127.0.0.1:8082"); json_targets+=("hummingbird=http://127.0.0.1:8082");;
    vapor) targets+=("vapor=http://127.0.0.1:8083"); json_targets+=("vapor=http://127.0.0.1:8083");;
  esac
done

ENDPOINTS=plaintext OUT="$out/plaintext" "$bench/run.sh" "${targets[@]}"
ENDPOINTS=json OUT="$out/json" "$bench/run.sh" "${json_targets[@]}"
loaded_rss=$(rss "$croft_pid")

python3 "$repo/Benchmarks/idle_connections.py" 10000 "$CROFT_PORT" 6 > "$out/idle.txt" 2>&1 &
idle_pid=$!
sleep 4
idle10k_rss=$(rss "$croft_pid")
probe=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$CROFT_PORT/plaintext")
wait "$idle_pid" || true

cat <<REPORT | tee "$out/summary.md"

### Croft server facts (same run)

| measure | value |
|---|---|
| first response after start | ${first_ms} ms |
| idle RSS | ${idle_rss} |
| RSS after the load runs | ${loaded_rss} |
| RSS with 10,000 idle keep-alive connections | ${idle10k_rss} ($(head -1 "$out/idle.txt")) |
| a request while 10,000 connections are open | ${probe} s |
| release binary size | ${binary_size} |
REPORT
echo "results: $out" >&2

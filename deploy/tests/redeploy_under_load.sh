#!/usr/bin/env bash
# Replacing the app process under load drops no request. Two ways, both on 127.0.0.1 only:
#
#   reuseport  the app alone: app A serves with --reuse-port; app B starts with --reuse-port on the
#              same port, and once B answers, A gets SIGTERM and drains. Repeated SWITCHES times.
#   caddy      through Caddy and deploy/Caddyfile (what docker compose and systemd do): A gets
#              SIGTERM, exits, the port stays closed for GAP seconds (an image starting), then B
#              starts; Caddy holds the requests that arrive meanwhile (lb_try_duration). Skipped,
#              with a note, when `caddy` is not installed (apt-get install caddy).
#
# A load loop (Python, LOAD_WORKERS threads, a new connection per request so that any failure is a
# real drop, no retries) runs through each switch. Prints, per mode: requests, requests served
# during the switch, errors, the longest wait; PASS when there were no errors, else FAIL (exit 1).
#
# Environment: CROFT_APP_BIN (default .build-deploy/release/app, .build/release/app, .build/debug/app),
# MODES ("reuseport caddy"), SWITCHES (3), GAP (1.0 s), LOAD_WORKERS (8), CROFT_TEST_TIME_LIMIT (240 s),
# MIGRATE_REQ (1: run in a private network namespace with net.ipv4.tcp_migrate_req=1, see below).
set -euo pipefail

# MIGRATE_REQ=1: run in a private network namespace (root, unshare) with net.ipv4.tcp_migrate_req=1,
# which makes the kernel hand connections still queued on a closed SO_REUSEPORT listener to the
# listener that remains (Linux 5.14+), instead of resetting them. The machine's own setting is untouched.
if [ "${MIGRATE_REQ:-0}" = 1 ] && [ -z "${CROFT_IN_NETNS:-}" ]; then
  exec unshare -n env CROFT_IN_NETNS=1 bash -c 'ip link set lo up && sysctl -qw net.ipv4.tcp_migrate_req=1 && exec "$0" "$@"' "$0" "$@"
fi

root=$(cd "$(dirname "$0")/../.." && pwd)
limit=${CROFT_TEST_TIME_LIMIT:-240}
modes=${MODES:-reuseport caddy}
switches=${SWITCHES:-3}
gap=${GAP:-1.0}
workers=${LOAD_WORKERS:-8}
work=$(mktemp -d /tmp/croft-redeploy.XXXXXX)
groups=()
watchdog=""
failed=0

say() { printf '[redeploy] %s\n' "$*"; }
fail() {
  say "FAIL: $*"
  for log in "$work"/*.log; do [ -f "$log" ] && { echo "--- ${log##*/} (last 15 lines)"; tail -n 15 "$log"; }; done
  exit 1
}
. "$(dirname "$0")/lib.sh"  # as_root, stop_group
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pgid in "${groups[@]}"; do stop_group "$pgid" TERM 15; done 2>/dev/null
  [ -n "$watchdog" ] && kill -- "-$watchdog" 2>/dev/null
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'fail interrupted' INT TERM
trap 'fail "time limit of ${limit}s reached"' USR1
setsid bash -c 'sleep "$1"; kill -USR1 "$2"' watchdog "$limit" $$ >/dev/null 2>&1 &
watchdog=$!

app_bin=${CROFT_APP_BIN:-}
if [ -z "$app_bin" ]; then
  for candidate in "$root/.build-deploy/release/app" "$root/.build/release/app" "$root/.build/debug/app"; do
    [ -x "$candidate" ] && { app_bin=$candidate; break; }
  done
fi
[ -n "$app_bin" ] || fail "no app binary: build one (swift build -c release --product app) or set CROFT_APP_BIN"
command -v python3 >/dev/null || fail "python3 is needed for the load loop"
say "app: $app_bin"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The load loop: each worker sends GET /health on a fresh connection, again and again, until the
# stop file appears or the deadline passes; one line per request: start, end, status or error.
cat >"$work/load.py" <<'PY'
import http.client, os, sys, threading, time
port, workers, out, stop_file, deadline = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], time.time() + float(sys.argv[5])
lock = threading.Lock()
rows = []
def worker():
    local = []
    while time.time() < deadline and not os.path.exists(stop_file):
        start = time.time()
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=35)
            c.request("GET", "/health", headers={"Connection": "close"})
            r = c.getresponse(); r.read(); c.close()
            local.append((start, time.time(), str(r.status)))
        except Exception as e:
            local.append((start, time.time(), type(e).__name__ + ":" + str(e).replace(" ", "_")[:60]))
    with lock:
        rows.extend(local)
threads = [threading.Thread(target=worker) for _ in range(workers)]
for t in threads: t.start()
for t in threads: t.join()
with open(out, "w") as f:
    for row in sorted(rows):
        f.write("%.6f %.6f %s\n" % row)
PY

# The summary: totals, requests in [switch_start, switch_end], errors, longest wait, p99.
cat >"$work/summary.py" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
windows = [tuple(map(float, l.split())) for l in open(sys.argv[2])]
ok = [r for r in rows if r[2] == "200"]
bad = [r for r in rows if r[2] != "200"]
waits = sorted(float(r[1]) - float(r[0]) for r in rows)
def in_windows(r): return any(a <= float(r[1]) and float(r[0]) <= b for a, b in windows)
during = [r for r in ok if in_windows(r)]
p99 = waits[int(len(waits) * 0.99) - 1] if waits else 0
span = (float(rows[-1][1]) - float(rows[0][0])) if rows else 0
print("requests=%d ok=%d errors=%d during_switches=%d longest_wait_ms=%.0f p99_ms=%.1f rate=%.0f/s"
      % (len(rows), len(ok), len(bad), len(during), (waits[-1] if waits else 0) * 1000, p99 * 1000, len(rows) / span if span else 0))
kinds = {}
for r in bad: kinds[r[2]] = kinds.get(r[2], 0) + 1
for k, v in sorted(kinds.items()): print("  error %s x%d" % (k, v))
sys.exit(1 if bad or not ok else 0)
PY

export ENVIRONMENT=development LOG_LEVEL=warning BASE_DIR="$root" PUBLIC_DIR="$root/Public" TEMPLATES_DIR="$root/Templates"
export DATA_DIR="$work/data"
mkdir -p "$DATA_DIR"
app_pid=""
start_app() {  # start_app NAME PORT [--reuse-port]: start an app, wait until /health answers
  local name=$1 port=$2 i
  shift 2
  setsid "$app_bin" serve --host 127.0.0.1 --port "$port" "$@" >"$work/app-$name.log" 2>&1 &
  app_pid=$!
  groups+=("$app_pid")
  for i in $(seq 1 200); do
    kill -0 "$app_pid" 2>/dev/null || fail "app $name exited at start (see app-$name.log)"
    python3 - "$port" <<'PY' 2>/dev/null && return 0
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=1); c.request("GET", "/health")
sys.exit(0 if c.getresponse().status == 200 else 1)
PY
    sleep 0.05
  done
  fail "app $name did not answer within 10 s"
}
stop_app() {  # stop_app PID NAME: SIGTERM, wait for the drain (bounded), expect exit 0
  local pid=$1 name=$2 i
  kill -TERM "$pid"
  for i in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  kill -0 "$pid" 2>/dev/null && fail "app $name still running 15 s after SIGTERM"
  wait "$pid" || fail "app $name exited with status $? after SIGTERM"
}

run_mode() {  # run_mode MODE
  local mode=$1 app_port load_port load_pid caddy_pid="" names=(A B C D E F G H) i current next
  app_port=$(free_port)
  : >"$work/$mode.windows"
  rm -f "$work/stop"
  case $mode in
    reuseport) load_port=$app_port; start_app A "$app_port" --reuse-port ;;
    caddy)
      load_port=$(free_port)
      printf '{\n\tadmin off\n\tauto_https off\n}\nimport %s\n' "$root/deploy/Caddyfile" >"$work/Caddyfile"
      DOMAIN=":$load_port" UPSTREAM="127.0.0.1:$app_port" setsid caddy run --config "$work/Caddyfile" \
        --adapter caddyfile >"$work/caddy.log" 2>&1 &
      caddy_pid=$!
      groups+=("$caddy_pid")
      start_app A "$app_port"
      for i in $(seq 1 100); do curl -fsS --noproxy '*' -m 1 "http://127.0.0.1:$load_port/health" >/dev/null 2>&1 && break; sleep 0.1; done
      curl -fsS --noproxy '*' -m 2 "http://127.0.0.1:$load_port/health" >/dev/null || fail "caddy does not proxy (see caddy.log)"
      ;;
  esac
  current=$app_pid
  setsid python3 "$work/load.py" "$load_port" "$workers" "$work/$mode.rows" "$work/stop" $((limit - 30)) &
  load_pid=$!
  groups+=("$load_pid")
  sleep 2
  for i in $(seq 1 "$switches"); do
    local begin end
    begin=$(date +%s.%N)
    if [ "$mode" = reuseport ]; then
      start_app "${names[$i]}" "$app_port" --reuse-port   # B binds the same port and answers...
      next=$app_pid
      stop_app "$current" "${names[$((i - 1))]}"           # ...then A stops accepting and drains
    else
      stop_app "$current" "${names[$((i - 1))]}"           # the port is closed from here...
      sleep "$gap"                                        # ...while the new version starts
      start_app "${names[$i]}" "$app_port"
      next=$app_pid
    fi
    end=$(date +%s.%N)
    echo "$begin $end" >>"$work/$mode.windows"
    say "[$mode] switch $i: ${names[$((i - 1))]} -> ${names[$i]} in $(python3 -c "print('%.2f s' % ($end - $begin))")"
    current=$next
    sleep 2
  done
  touch "$work/stop"
  for i in $(seq 1 400); do kill -0 "$load_pid" 2>/dev/null || break; sleep 0.1; done
  wait "$load_pid" || fail "load loop failed"
  stop_app "$current" last
  [ -n "$caddy_pid" ] && stop_group "$caddy_pid" TERM 15
  local summary
  if summary=$(python3 "$work/summary.py" "$work/$mode.rows" "$work/$mode.windows"); then
    say "[$mode] $summary"
  else
    say "[$mode] $summary"
    failed=1
  fi
}

if [[ " $modes " == *" caddy "* ]] && ! command -v caddy >/dev/null && [ "$(id -u)" = 0 ]; then
  say "installing caddy (apt-get)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq caddy; } >/dev/null 2>&1 || true
  # Debian's package enables caddy.service; this test runs its own Caddy on a free port.
fi
say "net.ipv4.tcp_migrate_req=$(sysctl -n net.ipv4.tcp_migrate_req 2>/dev/null || echo n/a)"
for mode in $modes; do
  if [ "$mode" = caddy ] && ! command -v caddy >/dev/null; then
    say "[caddy] skipped: caddy is not installed (apt-get install caddy)"
    continue
  fi
  run_mode "$mode"
done

if [ "$failed" = 0 ]; then say "PASS (no request dropped while replacing the app: $modes)"; else say "FAIL (requests dropped)"; exit 1; fi

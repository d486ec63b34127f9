#!/usr/bin/env bash
# Runs shared/tools/docker-check on this project with Croft's hooks: the compose stack (app +
# Caddy) is built and started, /health answers on the app and through Caddy, a row written into
# data/db.sqlite3 before `docker compose down` is there after `up`, and Caddy compresses and sets
# Cache-Control on /static/. Prints docker-check's PASS or FAIL and exits with its status.
#
# On these machines there is no bridge networking and no certificate authority: docker-check runs
# every service with host networking, and DOMAIN is unset, so Caddy serves plain HTTP on :80.
# Needs root (docker-check installs docker.io and docker-compose with apt-get if missing), ports
# 80, 443 and 8000 free, and a .env (made from .env.example when missing).
#
#   deploy/tests/docker_check.sh            # DOCKER_CHECK=/path/to/docker-check to use another copy
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
check=${DOCKER_CHECK:-}
if [ -z "$check" ]; then
  for candidate in "$root/../shared/tools/docker-check" /work/shared/tools/docker-check; do
    [ -x "$candidate" ] && { check=$candidate; break; }
  done
fi
[ -n "$check" ] || { echo "docker_check: docker-check not found (set DOCKER_CHECK)"; exit 1; }
command -v sqlite3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null; }
cd "$root"
[ -f .env ] || { cp .env.example .env; echo "docker_check: made .env from .env.example"; }

db="$root/data/db.sqlite3"
curl_="curl -fsS --noproxy '*' -m 5"
# Through Caddy: health, a compressed page, Cache-Control on a static file; then a row in the database.
export CHECK_SETUP_CMD="$curl_ http://127.0.0.1:80/health >/dev/null \
  && $curl_ -H 'Accept-Encoding: gzip' -D - -o /dev/null http://127.0.0.1:80/ | grep -qi '^content-encoding: gzip' \
  && $curl_ -D - -o /dev/null http://127.0.0.1:80/static/css/app.css | grep -qi '^cache-control: public' \
  && sqlite3 '$db' \"PRAGMA busy_timeout=5000; CREATE TABLE IF NOT EXISTS deploy_check(note TEXT);
     INSERT INTO deploy_check VALUES('written before down at $(date -u +%FT%TZ)');\" >/dev/null \
  && echo 'setup: caddy proxies, compresses, caches /static/; row written'"
# After down/up: the row is still there, the app still answers through Caddy.
export CHECK_PERSIST_CMD="sqlite3 '$db' 'SELECT note FROM deploy_check' | grep -q 'written before down' \
  && $curl_ http://127.0.0.1:80/health >/dev/null && echo 'persist: row kept across down/up'"
exec "$check" "$@"

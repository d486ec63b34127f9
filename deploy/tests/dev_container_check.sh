#!/usr/bin/env bash
# Proves docker-compose.dev.yml on a scratch copy of this project, with shared/tools/docker-check.
#
# Round 1 (docker-check, CHECK_COMPOSE_FILE=docker-compose.dev.yml): the dev image is built, `up`
#   compiles the package inside the container (debug build into the named .build volume) and
#   serves; GET /health, / and a static file answer 200; the copy's own .build stays empty (the
#   build went to the volume); after `down` and `up` the database in data/ is still there and the
#   second start reuses the volume's build.
# Round 2: the README's command itself,
#   docker compose -f docker-compose.dev.yml run --rm --service-ports app swift run app serve --host 0.0.0.0
#   run on docker-check's host-network rendering of the file; GET /health must answer 200; then the
#   container is stopped (SIGTERM through tini) and removed by --rm.
#
# As in docker_check.sh: no bridge networking here, so docker-check runs the service with host
# networking and drops `ports:` (the server's own port 8000 is the one reached); port 8000 must be
# free. Needs root (docker-check installs docker.io and docker-compose with apt-get if missing).
# The checkout is not touched. The build volume (<project>_build) is kept as a cache for the next
# run; DROP_BUILD_CACHE=1 removes it at the end.
#
#   deploy/tests/dev_container_check.sh        # DOCKER_CHECK=/path/to/docker-check to use another copy
#   CROFT_REV=HEAD deploy/tests/dev_container_check.sh   # a commit instead of the working tree
#   CHECK_TIMEOUT=3600 ...                     # seconds for each start, compile included (default 2400)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
check=${DOCKER_CHECK:-}
if [ -z "$check" ]; then
  for candidate in "$root/../shared/tools/docker-check"; do
    [ -x "$candidate" ] && { check=$candidate; break; }
  done
fi
say() { printf '[dev_container_check] %s\n' "$*"; }
[ -n "$check" ] || { say "FAIL: docker-check not found (set DOCKER_CHECK)"; exit 1; }
command -v sqlite3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null; }

project=croft-dev
state=${DOCKER_CHECK_WORK:-/tmp/docker-check}/projects/$project
run_name="$project-run-$$"
run_pid=""
work=$(mktemp -d /tmp/croft-dev-check.XXXXXX)
cleanup() {
  local status=$?
  if [ -n "$run_pid" ]; then
    docker stop -t 15 "$run_name" >/dev/null 2>&1 || true
    docker rm -f "$run_name" >/dev/null 2>&1 || true
    kill -- "-$run_pid" 2>/dev/null || true
  fi
  if [ "${DROP_BUILD_CACHE:-0}" = 1 ]; then docker volume rm "${project}_build" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

# A scratch copy named croft-dev (docker-check names the compose project after the folder).
copy="$work/$project"
mkdir -p "$copy"
if [ -n "${CROFT_REV:-}" ]; then
  git -C "$root" archive "$CROFT_REV" | tar -xf - -C "$copy"
  say "source: git archive $CROFT_REV ($(git -C "$root" rev-parse --short "$CROFT_REV"))"
else
  (cd "$root" && tar --exclude=./.git --exclude=./.build --exclude='./.build-*' --exclude='./.build_*' \
    --exclude=./.swiftpm --exclude='./data/*' --exclude=./.env --exclude=./Benchmarks/results -cf - .) \
    | tar -xf - -C "$copy"
  say "source: the working tree of $root"
fi
mkdir -p "$copy/data"

# docker-check's engine (it starts one on /tmp/dockerd.sock when none answers) and compose spelling.
export DOCKER_HOST=${DOCKER_HOST:-unix:///tmp/dockerd.sock}
curl_="curl -sS --noproxy '*' -m 5 -o /dev/null -w '%{http_code}'"
status() { eval "$curl_ 'http://127.0.0.1:8000$1'" 2>/dev/null || true; }

db="$copy/data/db.sqlite3"
# After the first healthy start: three URLs answer 200, the build is in the volume, not in the copy.
export CHECK_SETUP_CMD="set -e
  for path in /health / /static/css/app.css; do
    code=\$($curl_ http://127.0.0.1:8000\$path); echo \"setup: GET \$path -> \$code\"; [ \"\$code\" = 200 ]
  done
  cid=\$(docker ps -q --filter label=com.docker.compose.project=$project --filter label=com.docker.compose.service=app)
  docker logs \$cid 2>&1 | grep -E \"Build of product 'app' complete|Compiling app\" | tail -1 | sed 's/^/setup: container log: /'
  docker exec \$cid test -x /app/.build/debug/app && echo 'setup: /app/.build/debug/app built in the volume'
  [ -z \"\$(ls -A '$copy/.build')\" ] && echo 'setup: the checkout copy'\"'\"'s own .build is empty'
  [ -f '$db' ] && echo 'setup: data/db.sqlite3 created in the mounted checkout'"
# After down/up: the database is the same file (its migrations table kept), and the site answers.
export CHECK_PERSIST_CMD="set -e
  [ -f '$db' ] && sqlite3 '$db' 'PRAGMA quick_check' | grep -qx ok
  code=\$($curl_ http://127.0.0.1:8000/health); echo \"persist: GET /health -> \$code\"; [ \"\$code\" = 200 ]
  cid=\$(docker ps -q --filter label=com.docker.compose.project=$project --filter label=com.docker.compose.service=app)
  docker logs \$cid 2>&1 | grep -E \"Build of product 'app' complete\" | tail -1 | sed 's/^/persist: container log (2nd start): /'"
export CHECK_COMPOSE_FILE=docker-compose.dev.yml CHECK_PROJECT=$project CHECK_TIMEOUT=${CHECK_TIMEOUT:-2400}

cd "$copy"
say "round 1: docker-check on docker-compose.dev.yml (build, up = compile + serve, health, down/up)"
"$check" "$@" || { say "FAIL (round 1)"; exit 1; }

# Round 2: the README's `run` command, on docker-check's host-network rendering of the same file.
hostfile="$state/compose.host.yml"
[ -f "$hostfile" ] || { say "FAIL: $hostfile not found (docker-check's rendering)"; exit 1; }
if docker compose version >/dev/null 2>&1; then compose=(docker compose); else compose=(docker-compose); fi
tty_flag=(); [ -t 0 ] || tty_flag=(-T)
say "round 2: ${compose[*]} -f docker-compose.dev.yml run --rm --service-ports ${tty_flag[*]} app swift run app serve --host 0.0.0.0"
setsid "${compose[@]}" -p "$project" -f "$hostfile" --project-directory "$copy" \
  run --rm --service-ports "${tty_flag[@]}" --name "$run_name" app swift run app serve --host 0.0.0.0 \
  </dev/null >"$work/run.log" 2>&1 &
run_pid=$!
code=000
deadline=$((SECONDS + ${RUN_TIMEOUT:-600}))
while [ $SECONDS -lt $deadline ]; do
  code=$(status /health)
  [ "$code" = 200 ] && break
  kill -0 "$run_pid" 2>/dev/null || break
  sleep 1
done
say "round 2: GET http://127.0.0.1:8000/health -> $code"
if [ "$code" != 200 ]; then tail -30 "$work/run.log"; say "FAIL (round 2: run --rm --service-ports)"; exit 1; fi
grep -E "Build of product 'app' complete" "$work/run.log" | tail -1 | sed 's/^/[dev_container_check] round 2: /' || true
docker stop -t 15 "$run_name" >/dev/null
for _ in $(seq 1 30); do kill -0 "$run_pid" 2>/dev/null || break; sleep 1; done
if kill -0 "$run_pid" 2>/dev/null; then say "FAIL (round 2: compose run still alive 30 s after docker stop)"; exit 1; fi
wait "$run_pid" && rc=0 || rc=$?
run_pid=""
if docker ps -a --format '{{.Names}}' | grep -qx "$run_name"; then say "FAIL (round 2: --rm left the container)"; exit 1; fi
say "round 2: stopped (compose run exit $rc), container removed"
say "PASS"

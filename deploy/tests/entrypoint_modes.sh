#!/usr/bin/env bash
# deploy/entrypoint.sh sets a umask of at least 027 before it creates anything: started under an open
# umask (000, 022), the data directory it makes is 0750 and what `app` creates is 0640; a stricter
# inherited umask (077) is kept. Runs the entrypoint with a stub `app` (no Swift build, no Litestream)
# as the current user, for a one-off command (`migrate`) and for the default serve path.
#
#   deploy/tests/entrypoint_modes.sh        # prints PASS or FAIL; exits non-zero on failure
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/croft-entrypoint-modes.XXXXXX)
trap 'rm -rf "$work"' EXIT
say() { printf '[entrypoint-modes] %s\n' "$*"; }
fail() { say "FAIL: $*"; exit 1; }

sh -n "$root/deploy/entrypoint.sh" || fail "deploy/entrypoint.sh does not parse"

# The stub records the umask it was started with and creates a file in DATA_DIR, as SQLite would.
mkdir -p "$work/bin"
cat >"$work/bin/app" <<'STUB'
#!/bin/sh
umask >"$DATA_DIR/umask-$1"
: >"$DATA_DIR/created-by-$1"
STUB
chmod +x "$work/bin/app"

mode() { stat -c %a "$1"; }
check() {  # check INHERITED_UMASK EXPECTED_UMASK DIR_MODE FILE_MODE
  local inherited=$1 umask_wanted=$2 dir_wanted=$3 file_wanted=$4 command
  for command in migrate serve; do
    local data="$work/$inherited-$command/data"
    # A fresh DATA_DIR the entrypoint must create itself (its parent exists).
    mkdir -p "$(dirname "$data")"
    (umask "$inherited"
     if [ "$command" = migrate ]; then set -- migrate; else set --; fi
     env -u LITESTREAM_REPLICA_URL DATA_DIR="$data" APP_BIN="$work/bin/app" CROFT_USER=croft-no-such-user \
       "$root/deploy/entrypoint.sh" "$@") >"$work/log" 2>&1 || { cat "$work/log"; fail "entrypoint ($command) exited $?"; }
    # The default path runs `app migrate` then `app serve`; the one-off path runs only `app migrate`.
    [ "$(cat "$data/umask-migrate")" = "$umask_wanted" ] \
      || fail "umask $inherited, $command: app started with umask $(cat "$data/umask-migrate"), expected $umask_wanted"
    [ "$(mode "$data")" = "$dir_wanted" ] || fail "umask $inherited, $command: data/ is $(mode "$data"), expected $dir_wanted"
    [ "$(mode "$data/created-by-migrate")" = "$file_wanted" ] \
      || fail "umask $inherited, $command: a file app created is $(mode "$data/created-by-migrate"), expected $file_wanted"
    if [ "$command" = serve ]; then
      [ "$(cat "$data/umask-serve")" = "$umask_wanted" ] || fail "umask $inherited: app serve started with umask $(cat "$data/umask-serve")"
    fi
  done
  say "inherited umask $inherited: app runs under $umask_wanted, data/ $dir_wanted, files $file_wanted"
}

check 000 0027 750 640
check 022 0027 750 640
check 077 0077 700 600
say PASS

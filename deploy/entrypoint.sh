#!/bin/sh
# Starts a Croft site the way production wants it, in order, stopping at the first failure:
#   1. restore the database from the Litestream replica when the file is missing and a replica exists,
#   2. apply pending migrations (`app migrate`),
#   3. serve: under `litestream replicate -exec` when LITESTREAM_REPLICA_URL is set, else `app serve` alone.
# Arguments are passed to `app serve` (e.g. `--reuse-port`). A command that is not an option
# (`migrate`, `createsuperuser`, `sh`, ...) is run as is instead, for one-off tasks:
#   docker compose run --rm app migrate
#
# Started as root (the image's default), it first makes DATA_DIR belong to CROFT_USER and drops to
# that user, so a `./data` folder that dockerd created as root still works. Started as any other
# user, it runs as that user.
#
# Environment (all optional): DATA_DIR (/app/data), DATABASE_PATH ($DATA_DIR/db.sqlite3),
# LITESTREAM_REPLICA_URL (replication off when empty) and the other LITESTREAM_* variables read by
# deploy/litestream.yml, LITESTREAM_CONFIG (litestream.yml beside this script), APP_BIN (`app` on
# PATH), LITESTREAM_BIN (`litestream` on PATH), CROFT_USER (croft).
set -eu

# Before anything creates a file: umask 027 (or stricter, if inherited), so data/, the database, its
# -wal/-shm and Litestream's state are 0750/0640, closed to other users of the machine; Docker's 022
# would make them world-readable. `app` sets the same umask itself.
umask "$(printf '%03o' $(( $(umask) | 027 )))"

log() { echo "entrypoint: $*" >&2; }

here=$(cd "$(dirname "$0")" && pwd)
: "${DATA_DIR:=/app/data}"
: "${DATABASE_PATH:=$DATA_DIR/db.sqlite3}"
: "${LITESTREAM_CONFIG:=$here/litestream.yml}"
: "${APP_BIN:=app}"
: "${LITESTREAM_BIN:=litestream}"
: "${CROFT_USER:=croft}"
: "${LITESTREAM_REPLICA_URL:=}"
export DATA_DIR DATABASE_PATH

# 0. Root: own the volume, then run the rest as CROFT_USER (setpriv is in util-linux, always present).
if [ "$(id -u)" = 0 ] && id "$CROFT_USER" >/dev/null 2>&1; then
  mkdir -p "$DATA_DIR" "$(dirname "$DATABASE_PATH")"
  # Anything not owned by the app's user (a folder dockerd created, a file from `docker compose exec`
  # as root) would make SQLite fail with "unable to open database file" or "readonly database".
  if [ -n "$(find "$DATA_DIR" ! -user "$CROFT_USER" -print -quit)" ]; then
    log "giving $DATA_DIR to $CROFT_USER"
    find "$DATA_DIR" ! -user "$CROFT_USER" -exec chown "$CROFT_USER:$CROFT_USER" {} +
  fi
  HOME=$(getent passwd "$CROFT_USER" | cut -d: -f6) exec setpriv --reuid="$CROFT_USER" --regid="$CROFT_USER" \
    --init-groups -- "$0" "$@"
fi
mkdir -p "$DATA_DIR" "$(dirname "$DATABASE_PATH")"

# One-off commands, as CROFT_USER too: `docker compose run --rm app migrate --list`, `... app sh`.
case "${1:-}" in
  "" | -*) ;;
  app) shift; exec "$APP_BIN" "$@" ;;
  sh | bash) exec "$@" ;;
  *) exec "$APP_BIN" "$@" ;;
esac

# 1. Restore. Never start on an empty database while a replica exists: a fresh database would be
#    replicated over the good copy. A failed restore (bucket unreachable, bad key) stops here.
if [ -n "$LITESTREAM_REPLICA_URL" ]; then
  if [ -e "$DATABASE_PATH" ]; then
    log "database $DATABASE_PATH exists; no restore"
  else
    log "database $DATABASE_PATH is missing; restoring from $LITESTREAM_REPLICA_URL if it holds a copy"
    "$LITESTREAM_BIN" restore -config "$LITESTREAM_CONFIG" -if-db-not-exists -if-replica-exists "$DATABASE_PATH"
    if [ -e "$DATABASE_PATH" ]; then log "restored $DATABASE_PATH"; else log "no replica yet: starting a new database"; fi
  fi
fi

# 2. Migrate. A failed migration stops the deploy before the new code serves a request.
log "applying migrations"
"$APP_BIN" migrate

# 2b. The first staff account, once: with CROFT_SUPERUSER_EMAIL and CROFT_SUPERUSER_PASSWORD set, it is
#     created if missing and left as it is after (createsuperuser --no-input is idempotent).
if [ -n "${CROFT_SUPERUSER_EMAIL:-}" ]; then
  "$APP_BIN" createsuperuser --no-input
fi

# 3. Serve. Under Litestream, it forwards SIGTERM to the app, waits for it to drain, then pushes
#    the last changes to the replica before exiting.
if [ -n "$LITESTREAM_REPLICA_URL" ]; then
  command="$APP_BIN serve"
  for argument in "$@"; do command="$command '$argument'"; done
  log "serving under litestream replicate (replica: $LITESTREAM_REPLICA_URL)"
  exec "$LITESTREAM_BIN" replicate -config "$LITESTREAM_CONFIG" -exec "$command"
fi
log "serving (LITESTREAM_REPLICA_URL is empty: no replication)"
exec "$APP_BIN" serve "$@"

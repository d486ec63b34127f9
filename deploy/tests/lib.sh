# Shared by the deploy tests: `. "$(dirname "$0")/lib.sh"`.

# Runs a command as root (directly when already root, else through sudo).
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# stop_group PGID [SIGNAL] [SECONDS]: signals a process group, waits (bounded, default 10 s) for it to go,
# then kills what is left.
stop_group() {
  local pgid=$1 signal=${2:-TERM} seconds=${3:-10} i
  kill "-$signal" -- "-$pgid" 2>/dev/null || return 0
  for i in $(seq 1 $((seconds * 10))); do kill -0 -- "-$pgid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL -- "-$pgid" 2>/dev/null || true
}

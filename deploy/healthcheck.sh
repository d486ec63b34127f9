#!/bin/bash
# Exits 0 when GET /health answers 200, for Docker's HEALTHCHECK and compose's healthcheck.
# The slim runtime image has no curl: bash's /dev/tcp speaks just enough HTTP/1.1 for this.
# Usage: healthcheck.sh [port]   (default: $PORT or 8000; always 127.0.0.1)
set -u
port=${1:-${PORT:-8000}}
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET /health HTTP/1.1\r\nHost: localhost\r\nUser-Agent: healthcheck\r\nConnection: close\r\n\r\n' >&3
IFS= read -r -t 3 status <&3 || exit 1
case "$status" in
  "HTTP/1.1 200 "*) exit 0 ;;
  *) echo "health: ${status%$'\r'}" >&2; exit 1 ;;
esac

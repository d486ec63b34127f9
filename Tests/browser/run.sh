#!/usr/bin/env bash
# Drives a real headless Chromium through the site: sign up, log out, log in, create, edit and delete a note,
# log out, then forget the password and reset it through the link a real SMTP server (aiosmtpd, STARTTLS and
# AUTH, Tests/smtp/) received; asserts each page's content and saves a screenshot of each under a temp dir.
# Installs what is missing (Debian's chromium and chromium-driver, Selenium from PyPI), builds `app`,
# serves it on a free 127.0.0.1 port from a temp BASE_DIR, and always stops that server.
# Exits non-zero on any failure. Usage: Tests/browser/run.sh   (BROWSER_TIMEOUT=seconds, default 300)
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if ! python3 -c 'import selenium' 2>/dev/null; then
  echo "installing: selenium (pip)"
  python3 -m pip install --quiet --disable-pip-version-check selenium
fi

swift build --product app
app="$(swift build --show-bin-path)/app"

base=$(mktemp -d /tmp/croft-browser-site.XXXXXX)
shots=$(mktemp -d /tmp/croft-browser-screenshots.XXXXXX)
ln -s "$repo/Public" "$base/Public"
ln -s "$repo/Templates" "$base/Templates"

# The port a child process announces in its output (sed expression), waiting up to 20 s; empty if it died first.
announced_port() {
  local pid=$1 file=$2 expression=$3 found=""
  for _ in $(seq 200); do
    found=$(sed -n "$expression" "$file" | head -n 1)
    [ -n "$found" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "$found"
}

# The SMTP server the site's worker sends to: STARTTLS on a throwaway certificate, AUTH required.
python="${CROFT_SMTP_PYTHON:-$(Tests/smtp/setup.sh)}"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$base/smtp-key.pem" -out "$base/smtp-cert.pem" 2>/dev/null
mkdir -p "$base/maildir"
"$python" Tests/smtp/smtp_sink.py --port 0 --maildir "$base/maildir" --cert "$base/smtp-cert.pem" --key "$base/smtp-key.pem" \
  --user mailer --password smtp-secret >"$base/smtp.out" 2>"$base/smtp.log" &
smtp_pid=$!
smtp_port=$(announced_port "$smtp_pid" "$base/smtp.out" 's/^READY \([0-9][0-9]*\)$/\1/p')
[ -n "$smtp_port" ] || { echo "the SMTP server did not start:" >&2; cat "$base/smtp.log" >&2; exit 1; }

server_pid=""
cleanup() {
  kill -TERM "$smtp_pid" 2>/dev/null || true
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$base"
}
trap cleanup EXIT

# Port 0: the kernel picks a free port and the server announces it, so two runs never collide.
env -u PORT -u DATABASE_PATH -u DATA_DIR -u ENVIRONMENT BASE_DIR="$base" PASSWORD_ITERATIONS=1000 \
  SECRET_KEY=browser-test-secret-key EMAIL_BACKEND=smtp EMAIL_HOST=127.0.0.1 EMAIL_PORT="$smtp_port" EMAIL_USE_TLS=1 \
  EMAIL_HOST_USER=mailer EMAIL_HOST_PASSWORD=smtp-secret EMAIL_SSL_CAFILE="$base/smtp-cert.pem" \
  DEFAULT_FROM_EMAIL="Croft <noreply@example.com>" "$app" serve --host 127.0.0.1 --port 0 >"$base/server.log" 2>&1 &
server_pid=$!
port=$(announced_port "$server_pid" "$base/server.log" 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p')
if [ -z "$port" ]; then
  echo "the server did not start:" >&2
  cat "$base/server.log" >&2
  exit 1
fi
echo "serving on http://127.0.0.1:$port (pid $server_pid)"

status=0
timeout --kill-after=10 "${BROWSER_TIMEOUT:-300}" \
  python3 "$repo/Tests/browser/test_flows.py" "http://127.0.0.1:$port" "$shots" "$base/maildir" || status=$?
if [ $status -ne 0 ]; then
  echo "browser flows FAILED (exit $status); server log:" >&2
  tail -n 40 "$base/server.log" >&2
fi
echo "screenshots: $shots"
exit $status

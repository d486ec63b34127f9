#!/usr/bin/env bash
# Makes the Python environment the SMTP tests' server runs in (aiosmtpd from PyPI) and prints its
# python's path. Idempotent: an existing environment with aiosmtpd is kept. CroftTesting's SMTPSink
# runs this when CROFT_SMTP_PYTHON is unset; .ci/run runs it once before `swift test`.
#   Tests/smtp/setup.sh [DIR]     # default: .build/croft-smtp-venv
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="${1:-.build/croft-smtp-venv}"
if ! "$dir/bin/python" -c "import aiosmtpd" 2>/dev/null; then
  python3 -m venv "$dir" >&2 || { echo "python3 -m venv failed: install python3-venv (apt-get install python3-venv)" >&2; exit 1; }
  "$dir/bin/pip" install -q --disable-pip-version-check "aiosmtpd==1.4.*" >&2
fi
echo "$(cd "$dir" && pwd)/bin/python"

#!/usr/bin/env bash
# Debian's chromium for the dashboard tests (Playwright drives it with executable_path; no browser
# download). Installs it when missing; says why when it cannot.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [[ "$(id -u)" != "0" ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "browser.sh: chromium is missing and this user cannot install it (apt-get install chromium as root)" >&2
    exit 2
  fi
fi
echo "browser.sh: installing Debian's chromium for the dashboard tests" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -q chromium >/dev/null 2>&1 || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q chromium >/dev/null; }
command -v chromium >/dev/null

#!/usr/bin/env bash
# Installs Debian's `chromium` package with apt-get when /usr/bin/chromium is missing,
# for the dev console's browser test (tests/browser/console_test.ts). Idempotent: does
# nothing when the browser is already there. Needs root (or sudo) and Debian's archive.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  echo "install_browser: $("$CHROMIUM" --version 2>/dev/null || echo chromium) already at $CHROMIUM"
  exit 0
fi

if [ "$(id -u)" = "0" ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "install_browser: need root (or sudo) to run apt-get install chromium" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "install_browser: apt-get update ..."
"${as_root[@]}" apt-get update -q
echo "install_browser: apt-get install -y chromium (this can take a few minutes) ..."
"${as_root[@]}" apt-get install -y -q --no-install-recommends chromium fonts-liberation

if [ ! -x "$CHROMIUM" ]; then
  echo "install_browser: apt-get finished but $CHROMIUM is still missing" >&2
  exit 1
fi
echo "install_browser: installed $("$CHROMIUM" --version 2>/dev/null || echo chromium) at $CHROMIUM"

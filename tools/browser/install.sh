#!/usr/bin/env bash
# Installs what the classroom's browser tests drive: Debian's headless Chromium and its
# ChromeDriver (packages `chromium` and `chromium-driver`, same version). Idempotent: does
# nothing when both are there. Needs root (CI runs as root) or sudo.
set -euo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
command -v chromium >/dev/null && command -v chromedriver >/dev/null

#!/usr/bin/env bash
# Install the system packages tallrx's test suite needs when they are absent (Debian/Ubuntu):
#   postgresql - the store tests start a throwaway PostgreSQL cluster on loopback (tests/store)
#   chromium   - the web tests drive a real headless browser (tests/web/test_browser.py)
# Runs apt-get as root, or through sudo; elsewhere it says what to install and carries on
# (the PostgreSQL tests then skip with that reason, except under CI=true where they fail).
set -uo pipefail

need=()
if ! command -v initdb >/dev/null 2>&1 && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    need+=(postgresql)
fi
if ! command -v chromium >/dev/null 2>&1; then
    need+=(chromium)
fi
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ]; then as_root=(); elif command -v sudo >/dev/null 2>&1; then as_root=(sudo); else
    echo "tools/services.sh: please install: ${need[*]} (no root or sudo here)" >&2
    exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
    "${as_root[@]}" apt-get update -qq >/dev/null &&
        DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "${need[@]}" >/dev/null ||
        echo "tools/services.sh: apt-get could not install ${need[*]}" >&2
else
    echo "tools/services.sh: please install: ${need[*]} (no apt-get here)" >&2
fi
exit 0

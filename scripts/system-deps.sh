#!/usr/bin/env bash
# Make sure the system packages a command needs are present: install them with apt when we
# are root and apt exists, else say exactly what to install and fail.
#   scripts/system-deps.sh run|test|bench
set -euo pipefail

need=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
pg_bindir() {
  if [ -n "${PG_BINDIR:-}" ] && [ -x "$PG_BINDIR/initdb" ]; then echo "$PG_BINDIR"; return; fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

have_cmd msgfmt || need+=(gettext)
# Certificates draw learners' names with Noto Sans CJK, falling back per character to
# BabelStone Han and HanaMin for the rare ones (CJK Extensions A-H; core/fonts.py).
fc-list ':lang=zh' 2>/dev/null | grep -q . || need+=(fonts-noto-cjk)
[ -f /usr/share/fonts/truetype/babelstone/BabelStoneHan.ttf ] || need+=(fonts-babelstone-han)
[ -f /usr/share/fonts/truetype/hanazono/HanaMinB.ttf ] || need+=(fonts-hanazono)
mode="${1:-run}"
if [ "$mode" = "test" ] || [ "$mode" = "bench" ]; then
  # scripts/services.py starts throwaway PostgreSQL and Redis servers (as postgres if root).
  [ -n "$(pg_bindir)" ] && [ -x "$(pg_bindir)/initdb" ] || need+=(postgresql)
  have_cmd redis-server || need+=(redis-server)
  have_cmd runuser || need+=(util-linux)
fi
[ "$mode" = "test" ] && { have_cmd chromium || need+=(chromium); }
# bench/run.py and bench/purge.py drive the server with wrk (HTTP load generator).
[ "$mode" = "bench" ] && { have_cmd wrk || need+=(wrk); }

[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && have_cmd apt-get; then
  echo "Installing system packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  exit 0
fi
echo "Missing system packages: ${need[*]}" >&2
echo "Install them with:  sudo apt-get install ${need[*]}" >&2
exit 1

#!/usr/bin/env bash
# Installs the Debian packages dti needs when they are missing: PostgreSQL server binaries, libpq, libxlsxwriter.
# As root it runs apt-get; otherwise it prints the command to run. Optional extras (chromium for the HTML
# screenshot) are installed only when asked: ensure-deps.sh chromium
set -euo pipefail

need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

pkg-config --exists libpq 2>/dev/null || need+=(libpq-dev)
pkg-config --exists xlsxwriter 2>/dev/null || need+=(libxlsxwriter-dev)
command -v pkg-config >/dev/null || need+=(pkg-config)
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then need+=(postgresql); fi
command -v psql >/dev/null || need+=(postgresql-client)
# The export tests read the XLSX back with a second reader, openpyxl (Debian's python3-openpyxl).
/usr/bin/python3 -c 'import openpyxl' >/dev/null 2>&1 || need+=(python3-openpyxl)
for extra in "$@"; do
  case "$extra" in
    chromium) command -v chromium >/dev/null || need+=(chromium fonts-dejavu-core) ;;
    chromium-driver) command -v chromedriver >/dev/null || need+=(chromium-driver) ;;
    *) need+=("$extra") ;;
  esac
done

if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "dti needs these Debian packages: ${need[*]}" >&2
  echo "install them with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "installing: ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends "${need[@]}" >/tmp/dti-apt.log 2>&1; then
  apt-get update >>/tmp/dti-apt.log 2>&1
  apt-get install -y --no-install-recommends "${need[@]}" >>/tmp/dti-apt.log 2>&1 || { tail -20 /tmp/dti-apt.log >&2; exit 1; }
fi

#!/usr/bin/env bash
# make screenshot: renders the demo's HTML export with headless Chromium into out/tan-yen-2022-2024.png (the page
# with its inline SVG chart), and — when LibreOffice is installed — converts the XLSX export to PDF as a check that
# it opens in an office suite. Runs the demo first when its export is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-out}
html="$OUT/tan-yen-2022-2024.html"
[ -f "$html" ] || scripts/demo.sh >/dev/null
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then echo "chromium is not installed: run scripts/ensure-deps.sh chromium (as root)" >&2; exit 1; fi
png="$OUT/tan-yen-2022-2024.png"
"$browser" --headless=new --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
  --window-size=1280,1800 --screenshot="$PWD/$png" "file://$PWD/$html" >/dev/null 2>&1
[ -s "$png" ] || { echo "no screenshot was written" >&2; exit 1; }
echo "ảnh chụp / screenshot: $png"
if command -v libreoffice >/dev/null || command -v soffice >/dev/null; then
  office=$(command -v libreoffice || command -v soffice)
  "$office" --headless --convert-to pdf --outdir "$OUT" "$OUT/tan-yen-2022-2024.xlsx" >/dev/null 2>&1 \
    && echo "XLSX → PDF: $OUT/tan-yen-2022-2024.pdf" || echo "LibreOffice could not convert the XLSX (optional check)" >&2
else
  echo "(LibreOffice not installed: the optional XLSX → PDF check was skipped)"
fi

#!/usr/bin/env bash
# make screenshot: renders the demo's HTML export with headless Chromium at 1280 px and 390 px (a phone) into
# out/tan-yen-2022-2024*.png and prints it to PDF (DOCS=1 also copies the two screenshots to docs/screenshots/), and — when LibreOffice is installed — converts the XLSX export to PDF as a check that
# it opens in an office suite. Runs the demo first when its export is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-out}
html="$OUT/tan-yen-2022-2024.html"
[ -f "$html" ] || scripts/demo.sh >/dev/null
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then echo "chromium is not installed: run scripts/ensure-deps.sh chromium (as root)" >&2; exit 1; fi
# The page at a desktop width and at a phone width, and printed (A4 landscape, the page's print stylesheet).
shot() {  # width height file
  "$browser" --headless=new --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
    --window-size="$1,$2" --screenshot="$PWD/$3" "file://$PWD/$html" >/dev/null 2>&1
  [ -s "$3" ] || { echo "no screenshot was written: $3" >&2; exit 1; }
  echo "ảnh chụp / screenshot ($1 px): $3"
}
shot 1280 1400 "$OUT/tan-yen-2022-2024.png"
shot 390 1600 "$OUT/tan-yen-2022-2024-phone.png"
shot 1280 9000 "$OUT/tan-yen-2022-2024-full.png"
"$browser" --headless=new --no-sandbox --disable-gpu --no-pdf-header-footer --print-to-pdf="$PWD/$OUT/tan-yen-2022-2024-print.pdf" \
  "file://$PWD/$html" >/dev/null 2>&1 && echo "bản in / print (A4 ngang): $OUT/tan-yen-2022-2024-print.pdf"
if [ "${DOCS:-}" = 1 ]; then
  mkdir -p docs/screenshots
  cp "$OUT/tan-yen-2022-2024.png" docs/screenshots/export-1280.png
  cp "$OUT/tan-yen-2022-2024-phone.png" docs/screenshots/export-390.png
  echo "docs/screenshots/ cập nhật / updated"
fi
if command -v libreoffice >/dev/null || command -v soffice >/dev/null; then
  office=$(command -v libreoffice || command -v soffice)
  "$office" --headless --convert-to pdf --outdir "$OUT" "$OUT/tan-yen-2022-2024.xlsx" >/dev/null 2>&1 \
    && echo "XLSX → PDF: $OUT/tan-yen-2022-2024.pdf" || echo "LibreOffice could not convert the XLSX (optional check)" >&2
else
  echo "(LibreOffice not installed: the optional XLSX → PDF check was skipped)"
fi

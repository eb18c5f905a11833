#!/usr/bin/env bash
# Renders page 1 of a quote PDF to a PNG, to look at the layout without a PDF viewer.
# Usage: scripts/quote-preview.sh quote.pdf [out.png] [dpi]
# Needs pdftoppm (Debian/Ubuntu: apt-get install poppler-utils).
set -euo pipefail
pdf="${1:?usage: scripts/quote-preview.sh quote.pdf [out.png] [dpi]}"
png="${2:-${pdf%.pdf}-page1.png}"
dpi="${3:-110}"
if ! command -v pdftoppm >/dev/null 2>&1; then
    echo "pdftoppm not found: install poppler-utils (apt-get install poppler-utils)" >&2
    exit 1
fi
if [ ! -f "$pdf" ]; then
    echo "no such PDF: $pdf" >&2
    exit 1
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
pdftoppm -png -r "$dpi" -f 1 -l 1 -singlefile "$pdf" "$tmp/page"
mv "$tmp/page.png" "$png"
echo "$png"

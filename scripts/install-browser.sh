#!/usr/bin/env bash
# Make a Chromium available to Playwright: the system one when present (Debian's `chromium`, installed with
# apt-get when we are root and it is missing), otherwise Playwright's own download.
set -euo pipefail
PYTHON=${PYTHON:-python3}

have_system_chromium() {
  for candidate in /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
    [ -x "$candidate" ] && { echo "Using system Chromium at $candidate"; return 0; }
  done
  return 1
}

# Chinese glyphs for the generated certificates (bilingual templates, stamps) and for Chinese pages in
# screenshots; without a CJK font Chromium draws boxes. Not fatal: only those renderings need it.
have_cjk_font() { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null)" ]; }
if ! have_cjk_font && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing a Chinese font (Debian's fonts-wqy-microhei)..."
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null; } ||
    echo "apt-get could not install fonts-wqy-microhei; Chinese certificates will not render." >&2
fi

have_system_chromium && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium package..."
  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; then
    # Chinese glyphs for the generated certificates (bilingual templates, stamps) and for Chinese pages in
# screenshots; without a CJK font Chromium draws boxes. Not fatal: only those renderings need it.
have_cjk_font() { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null)" ]; }
if ! have_cjk_font && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing a Chinese font (Debian's fonts-wqy-microhei)..."
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null; } ||
    echo "apt-get could not install fonts-wqy-microhei; Chinese certificates will not render." >&2
fi

have_system_chromium && exit 0
  fi
  echo "apt-get could not install chromium; falling back to Playwright's browser download." >&2
fi

echo "Downloading Playwright's Chromium (python -m playwright install chromium)..."
"$PYTHON" -m playwright install chromium

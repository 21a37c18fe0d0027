#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian machine: the Debian packages the browser
# and document tests drive (Chromium, CJK fonts, LibreOffice for printing .docx to PDF) and venv
# support, then the Python package with its test extras into the virtual environment .venv (Debian's
# python3 is "externally managed", PEP 668: pip refuses to install into it). Safe to run again:
# installed packages are skipped and an existing .venv is reused.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(python3-venv chromium fonts-noto-cjk libreoffice-writer-nogui libreoffice-calc-nogui
  virtuoso-opensource)
if command -v dpkg-query >/dev/null; then
  missing=()
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "setup: installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
echo "setup: done ($(.venv/bin/python -c 'import fenjie; print("fenjie", fenjie.__version__)') in .venv)"

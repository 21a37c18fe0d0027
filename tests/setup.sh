#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian machine: the Python package with its
# test extras, and the Debian packages the browser and document tests drive (Chromium, CJK fonts,
# LibreOffice for printing .docx to PDF). Safe to run again: installed packages are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(chromium fonts-noto-cjk libreoffice-writer-nogui libreoffice-calc-nogui virtuoso-opensource)
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

python3 -m pip install -q --upgrade pip setuptools wheel
python3 -m pip install -q -e ".[test]"
echo "setup: done ($(python3 -c 'import fenjie; print("fenjie", fenjie.__version__)'))"

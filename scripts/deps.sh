#!/usr/bin/env bash
# Install what casebrief needs to build, test and fuzz, from Debian's
# packages. Does nothing when everything is there already.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libarchive-dev libexpat1-dev
      libpcre2-dev libcriterion-dev libarchive-tools jq
      clang libclang-rt-14-dev time libevtx-utils python3 python3-evtx
      chromium chromium-driver curl parallel
      man-db groff-base)  # the install test renders casebrief(1)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "casebrief: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2

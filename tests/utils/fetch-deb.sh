#!/usr/bin/env bash
# Unpack a Debian package from each given suite into a cache folder, one folder per suite:
#   fetch-deb.sh CACHE_DIR PACKAGE SUITE...    ->  CACHE_DIR/<suite>/usr/bin/...
# Used for real containerd binaries (bookworm = 1.6, trixie = 1.7, sid = 2.x).
# Packages are only unpacked (dpkg -x), never installed. The Debian archive is the one this machine's apt
# configuration names; a private apt state under the cache folder keeps the machine's package lists as they are.
set -euo pipefail
usage="usage: fetch-deb.sh CACHE_DIR PACKAGE SUITE..."
cache=${1:?$usage}
package=${2:?$usage}
shift 2
[ $# -gt 0 ] || { echo "$usage" >&2; exit 2; }
suites=("$@")
mkdir -p "$cache" && cache=$(cd "$cache" && pwd)

missing=()
for s in "${suites[@]}"; do [ -f "$cache/$s/.unpacked" ] || missing+=("$s"); done
if [ ${#missing[@]} -gt 0 ]; then
  uri=$("$(dirname "$0")/debian-mirror.sh")
  if [ -z "$uri" ]; then
    echo "fetch-deb: no Debian archive found in /etc/apt/sources.list{,.d}; add one or pre-fill $cache" >&2
    exit 1
  fi
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  [ -f "$keyring" ] || apt-get install -y -qq debian-archive-keyring >/dev/null

  apt_dir="$cache/.apt"
  mkdir -p "$apt_dir/state/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs"
  for s in "${missing[@]}"; do echo "deb [signed-by=$keyring] $uri $s main"; done >"$apt_dir/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
            -o "Dir::State=$apt_dir/state" -o "Dir::Cache=$apt_dir/cache" -o Debug::NoLocking=1
            -o APT::Sandbox::User=root -o Acquire::Check-Valid-Until=false)  # dated mirror snapshots expire
  echo "fetch-deb: reading package lists for ${missing[*]}"
  apt-get -qq "${apt_opts[@]}" update
  for s in "${missing[@]}"; do
    rm -rf "${apt_dir:?}/debs/$s" "${cache:?}/$s" && mkdir -p "$apt_dir/debs/$s"
    (cd "$apt_dir/debs/$s" && apt-get -qq "${apt_opts[@]}" download "$package/$s")
    dpkg -x "$apt_dir"/debs/"$s"/"${package}"_*.deb "$cache/$s"
    touch "$cache/$s/.unpacked"
  done
fi
echo "fetch-deb: $package from ${suites[*]} unpacked in $cache"

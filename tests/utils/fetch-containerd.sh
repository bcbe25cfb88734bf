#!/usr/bin/env bash
# Fetch real containerd binaries from Debian packages into a cache folder, one folder per Debian suite:
#   <cache>/<suite>/usr/bin/containerd   (bookworm = 1.6, trixie = 1.7, sid = 2.x)
# The packages are only unpacked (dpkg -x), never installed, so the machine's own containerd is untouched.
# The Debian archive URI is read from this machine's apt configuration; a private apt state under the cache
# folder keeps the machine's package lists as they are.
set -euo pipefail

cache=${1:?usage: fetch-containerd.sh CACHE_DIR [SUITE...]}
mkdir -p "$cache" && cache=$(cd "$cache" && pwd)
shift
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bookworm trixie sid)

have_all=1
for s in "${suites[@]}"; do [ -x "$cache/$s/usr/bin/containerd" ] || have_all=0; done
if [ $have_all = 1 ]; then
  for s in "${suites[@]}"; do printf '%-9s %s\n' "$s" "$("$cache/$s/usr/bin/containerd" --version)"; done
  exit 0
fi

uri=$("$(dirname "$0")/debian-mirror.sh")
if [ -z "$uri" ]; then
  echo "fetch-containerd: no Debian archive found in /etc/apt/sources.list{,.d}; add one or pre-fill $cache" >&2
  exit 1
fi
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || apt-get install -y -qq debian-archive-keyring >/dev/null

apt_dir="$cache/.apt"
mkdir -p "$apt_dir/state/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs"
for s in "${suites[@]}"; do
  echo "deb [signed-by=$keyring] $uri $s main"
done >"$apt_dir/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
          -o "Dir::State=$apt_dir/state" -o "Dir::Cache=$apt_dir/cache" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)

echo "fetch-containerd: reading package lists for ${suites[*]}"
apt-get -qq "${apt_opts[@]}" update
for s in "${suites[@]}"; do
  [ -x "$cache/$s/usr/bin/containerd" ] && continue
  rm -rf "$apt_dir/debs/$s" && mkdir -p "$apt_dir/debs/$s"
  (cd "$apt_dir/debs/$s" && apt-get -qq "${apt_opts[@]}" download "containerd/$s")
  rm -rf "${cache:?}/$s"
  dpkg -x "$apt_dir"/debs/"$s"/containerd_*.deb "$cache/$s"
  printf '%-9s %s\n' "$s" "$("$cache/$s/usr/bin/containerd" --version)"
done

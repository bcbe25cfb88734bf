#!/usr/bin/env bash
# Pack the REAL SOCI (tests/soci/build.sh) like an upstream release (scripts/create-releases.sh), laid out like the
# GitHub release:
#   make-release.sh VERSION OUTDIR [ARCH...]   (VERSION "" = build.sh's default; ARCH: this machine's only)
#   -> OUTDIR/v<VERSION>/soci-snapshotter-<VERSION>-linux-<ARCH>[-static].tar.gz (+ .sha256sum, sha256sum's format)
# Members at the archive root, as in the real release: soci-snapshotter-grpc, soci, THIRD_PARTY_LICENSES, NOTICE.md.
# The last line on stdout is OUTDIR/v<VERSION>.
set -euo pipefail
usage="usage: make-release.sh VERSION OUTDIR [ARCH...]"
[ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
want=$1
out=$2
shift 2
case $(uname -m) in
  x86_64) host=amd64 ;;
  aarch64) host=arm64 ;;
  *) echo "make-release.sh: SOCI is released for amd64 and arm64, not $(uname -m)" >&2; exit 1 ;;
esac
arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=("$host")
for arch in "${arches[@]}"; do
  if [ "$arch" != "$host" ]; then
    echo "make-release.sh: the real SOCI is built here for $host only (cgo: no cross build for $arch)" >&2
    exit 1
  fi
done
built=$("$here/build.sh" "$want" | tail -n 1)
version=${built##*/}

# The archive's dates: the release commit's (the timestamp in the pinned pseudo-version of the cmd module).
stamp=$(sed -n 's|^\tgithub.com/awslabs/soci-snapshotter/cmd v0.0.0-\([0-9]\{14\}\)-.*|\1|p' \
  "$here/pins/v$version/go.mod")
mtime="${stamp:0:4}-${stamp:4:2}-${stamp:6:2} ${stamp:8:2}:${stamp:10:2}:${stamp:12:2}Z"
dir="$out/v$version"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for arch in "${arches[@]}"; do
  for flavour in dynamic static; do
    suffix=""
    [ $flavour = dynamic ] || suffix=-static
    name="soci-snapshotter-$version-linux-$arch$suffix.tar.gz"
    if [ "$dir/$name.sha256sum" -nt "$built/.stamp" ] && (cd "$dir" && sha256sum --quiet -c "$name.sha256sum" 2>/dev/null); then
      echo "packed already: $dir/$name" >&2
      continue
    fi
    rm -rf "${work:?}"/*
    install -m 0755 "$built/$flavour/soci-snapshotter-grpc" "$built/$flavour/soci" "$work/"
    install -m 0644 "$built/THIRD_PARTY_LICENSES" "$built/NOTICE.md" "$work/"
    tar --owner=0 --group=0 --numeric-owner --mtime="$mtime" -C "$work" -cf - \
      soci-snapshotter-grpc soci THIRD_PARTY_LICENSES NOTICE.md | gzip -n >"$dir/$name.tmp"
    mv "$dir/$name.tmp" "$dir/$name"
    (cd "$dir" && sha256sum "$name" >"$name.sha256sum")
    echo "packed $dir/$name" >&2
  done
done
echo "$dir"

#!/usr/bin/env bash
# Build a release-shaped SOCI tarball from the TEST STAND-INS in this folder, laid out like the GitHub release:
#   OUTDIR/v<VERSION>/soci-snapshotter-<VERSION>-linux-<ARCH>[-static].tar.gz (+ .sha256sum)
# Members at the archive root, as in the real release: soci-snapshotter-grpc, soci, THIRD_PARTY_LICENSES, NOTICE.md.
set -euo pipefail
version=${1:?usage: make-release.sh VERSION OUTDIR [ARCH...]}
out=${2:?usage: make-release.sh VERSION OUTDIR [ARCH...]}
shift 2
arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(amd64 arm64)
here=$(cd "$(dirname "$0")" && pwd)
dir="$out/v$version"
mkdir -p "$dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{ echo '#!/usr/bin/python3'; sed "s/@VERSION@/$version/" "$here/soci-snapshotter-grpc-standin.py"; } >"$work/soci-snapshotter-grpc"
sed "s/@VERSION@/$version/" "$here/soci-standin.sh" >"$work/soci"
chmod 0755 "$work/soci-snapshotter-grpc" "$work/soci"
echo "Test stand-in for the SOCI snapshotter release; built by lazypull.soci tests/standin. Not SOCI." >"$work/NOTICE.md"
echo "None: the stand-in is part of lazypull.soci (GPL-3.0-or-later)." >"$work/THIRD_PARTY_LICENSES"
for arch in "${arches[@]}"; do
  for flavour in "" "-static"; do
    name="soci-snapshotter-$version-linux-$arch$flavour.tar.gz"
    tar --owner=0 --group=0 --mtime='2026-07-30 00:00Z' -C "$work" -czf "$dir/$name" \
      soci-snapshotter-grpc soci THIRD_PARTY_LICENSES NOTICE.md
    (cd "$dir" && sha256sum "$name" >"$name.sha256sum")
  done
done
echo "$dir"

#!/usr/bin/env bash
# A Debian package that stands in for the EKS AL2023 AMI's `soci-snapshotter` RPM (TEST STAND-IN for the package,
# not for SOCI: it holds the REAL soci-snapshotter-grpc and soci built by tests/soci/build.sh, in /usr/bin like the
# RPM, and depends on containerd like it). The AMI's own units are not in it: the AMI build copies them into
# /etc/systemd/system (molecule/resources/standins/eks-al2023-ami/).
#   ami-soci-package.sh STATE_DIR BUILD_DIR   -> STATE_DIR/ami/soci-snapshotter.deb
set -euo pipefail
state=${1:?usage: ami-soci-package.sh STATE_DIR BUILD_DIR}
built=${2:?usage: ami-soci-package.sh STATE_DIR BUILD_DIR}
out=$state/ami
version=$("$built/dynamic/soci-snapshotter-grpc" --version | awk '{print $3}')
version=${version#v}
stamp=$( { cat "$0"; sha256sum "$built/dynamic/soci-snapshotter-grpc" "$built/dynamic/soci"; } | sha256sum | cut -c1-16)
[ "$(cat "$out/.stamp" 2>/dev/null)" = "$stamp" ] && exit 0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/pkg/DEBIAN" "$work/pkg/usr/bin" "$out"
install -m 0755 "$built/dynamic/soci-snapshotter-grpc" "$built/dynamic/soci" "$work/pkg/usr/bin/"
cat >"$work/pkg/DEBIAN/control" <<CONTROL
Package: soci-snapshotter
Version: $version-1.amzn2023.lazypulltest
Architecture: $(dpkg --print-architecture)
Maintainer: lazypull.soci tests <noreply@invalid>
Depends: containerd
Description: TEST STAND-IN for the Amazon Linux 2023 soci-snapshotter package
 The real SOCI snapshotter binaries, packaged the way the AL2023 RPM installs them.
CONTROL
dpkg-deb --root-owner-group -Zgzip -z1 --build "$work/pkg" "$out/soci-snapshotter.deb" >/dev/null
echo "$stamp" >"$out/.stamp"

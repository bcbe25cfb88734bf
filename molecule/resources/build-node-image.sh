#!/usr/bin/env bash
# Build (once) a systemd node image from Debian packages and import it into podman; print its name.
#   build-node-image.sh SUITE      SUITE: bookworm (containerd 1.6), trixie (1.7), sid (2.x)
# The tag carries a hash of this recipe, so a changed recipe builds a new image and an unchanged one is reused.
# nydus-snapshotter is there for the SOCI stand-in (tests/standin), busybox-static for the test image,
# python3-yaml for the nodeadm stand-in (molecule/resources/standins),
# python3 for Ansible.
set -euo pipefail
suite=${1:?usage: build-node-image.sh SUITE}
here=$(cd "$(dirname "$0")" && pwd)
packages=systemd,systemd-sysv,dbus,python3,python3-yaml,sudo,containerd,fuse3,kmod,procps,ca-certificates,busybox-static
case $suite in trixie|sid) packages+=,nydus-snapshotter ;; esac
recipe=$(cat "$0"; echo "$packages")
image="localhost/lazypull-node:$suite-$(printf '%s' "$recipe" | sha256sum | cut -c1-12)"
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/containers.conf}

if podman image exists "$image"; then echo "$image"; exit 0; fi
mirror=$("$here/../../tests/utils/debian-mirror.sh")
[ -n "$mirror" ] || { echo "build-node-image: no Debian archive in this machine's apt sources" >&2; exit 1; }
echo "build-node-image: building $image from $suite packages (about a minute)" >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
hooks=()
if [ "$suite" = bookworm ]; then
  # Debian 12 has no nydus-snapshotter; trixie's containerd-nydus-grpc links only libc and runs there.
  "$here/../../tests/utils/fetch-deb.sh" "$here/../../.cache/nydus" nydus-snapshotter trixie >&2
  hooks+=(--customize-hook="copy-in $here/../../.cache/nydus/trixie/usr/bin/containerd-nydus-grpc /usr/bin")
fi
# shellcheck disable=SC2016  # "$1" is for mmdebstrap's hook shell, not for this one
mmdebstrap --quiet --variant=apt --include="$packages" \
  --customize-hook='chroot "$1" systemctl mask getty@tty1.service console-getty.service systemd-firstboot.service' \
  "${hooks[@]}" "$suite" "$work/rootfs.tar" "$mirror" >&2
podman import --quiet --change 'CMD ["/sbin/init"]' --change 'STOPSIGNAL SIGRTMIN+3' "$work/rootfs.tar" "$image" >/dev/null
echo "$image"

#!/usr/bin/env bash
# Build (once) a systemd node image from Debian packages and import it into podman; print its name.
#   build-node-image.sh NODE       NODE: bookworm (containerd 1.6), trixie (1.7), containerd2 (trixie with sid's 2.x)
# containerd2 is a trixie system with the containerd binaries of sid's package: sid's systemd needs cgroup v2, which
# hosts with hybrid cgroups (like the CI machines here) cannot give a container.
# The tag carries a hash of this recipe, so a changed recipe builds a new image and an unchanged one is reused.
# fuse3 for SOCI's FUSE mounts, pigz because SOCI's parallel mode decompresses with unpigz where it is there (as on
# EKS AL2023), busybox-static for the test images, python3-yaml for the nodeadm stand-in, python3 for Ansible, and
# crictl (built from its Go module, tests/soci/build-crictl.sh) to pull and run pods through CRI as kubelet does;
# curl and jq, which the EKS AMIs carry and the seed's userData uses (make bench runs it).
set -euo pipefail
node=${1:?usage: build-node-image.sh bookworm|trixie|containerd2|amazonlinux2023|amazonlinux2}
suite=$node
[ "$node" = containerd2 ] && suite=trixie
here=$(cd "$(dirname "$0")" && pwd)
packages=systemd,systemd-sysv,dbus,python3,python3-yaml,sudo,containerd,fuse3,pigz,kmod,procps,ca-certificates,busybox-static,curl,jq
crictl=$("$here/../../tests/soci/build-crictl.sh")
recipe=$(cat "$0"; echo "$packages ${crictl##*/}"; cat "$here/containerfiles/$node.Containerfile" 2>/dev/null || true)
image="localhost/lazypull-node:$node-$(printf '%s' "$recipe" | sha256sum | cut -c1-12)"
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/containers.conf}

if podman image exists "$image"; then echo "$image"; exit 0; fi
case $node in
  amazonlinux*)  # built from the distribution's own image: needs a registry that serves it (not this CI)
    podman build --quiet --tag "$image" --file "$here/containerfiles/$node.Containerfile" "$here/containerfiles" >&2
    echo "$image"
    exit 0 ;;
esac
mirror=$("$here/../../tests/utils/debian-mirror.sh")
[ -n "$mirror" ] || { echo "build-node-image: no Debian archive in this machine's apt sources" >&2; exit 1; }
echo "build-node-image: building $image from $suite packages (about a minute)" >&2
cache=$here/../../.cache
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$crictl" "$work/crictl"
hooks=(--customize-hook="copy-in $work/crictl /usr/local/bin")
if [ "$node" = containerd2 ]; then
  "$here/../../tests/utils/fetch-deb.sh" "$cache/containerd" containerd sid >&2
  for b in containerd containerd-shim-runc-v2 ctr; do
    hooks+=(--customize-hook="copy-in $cache/containerd/sid/usr/bin/$b /usr/bin")
  done
fi
# shellcheck disable=SC2016  # "$1" is for mmdebstrap's hook shell, not for this one
# Valid-Until is not checked: mirrors that serve a dated snapshot of the archive carry expired Release files
# (signatures are still checked).
mmdebstrap --quiet --variant=apt --include="$packages" --aptopt='Acquire::Check-Valid-Until "false"' \
  --customize-hook='chroot "$1" systemctl mask getty@tty1.service console-getty.service systemd-firstboot.service' \
  "${hooks[@]}" "$suite" "$work/rootfs.tar" "$mirror" >&2
podman import --quiet --change 'CMD ["/sbin/init"]' --change 'STOPSIGNAL SIGRTMIN+3' "$work/rootfs.tar" "$image" >/dev/null
echo "$image"

#!/usr/bin/env bash
# The Debian packages `make test` and `make demo` need on the machine that runs them, installed when missing.
# `make test`, `make demo` and .ci/run all call this one script, so what they install cannot drift apart.
#   system-packages.sh           install what is missing (root and apt-get needed only then)
#   system-packages.sh --check   say what is missing and exit 1, install nothing
# podman (with runc: crun fails on hosts with hybrid cgroups) boots the test nodes, mmdebstrap builds their
# images, docker-registry serves test images that skopeo pushes (built from busybox-static), shellcheck is
# ansible-test's, gcc and zlib1g-dev (static libz) build the real SOCI snapshotter from its Go module, openssl makes
# the Kubernetes API stand-in's certificate, packer (with openssh-client for its ansible provisioner) bakes an image
# from examples/packer in the bake test.
set -euo pipefail
packages=(git make tar python3 python3-venv ca-certificates debian-archive-keyring shellcheck
          podman runc mmdebstrap docker-registry skopeo busybox-static gcc libc6-dev zlib1g-dev openssl
          packer openssh-client)

missing=()
while read -r name status; do
  [ "$status" = installed ] || missing+=("$name")
done < <(for p in "${packages[@]}"; do
           printf '%s %s\n' "$p" "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || echo absent)"
         done)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "${1:-}" = --check ]; then
  echo "setup: missing system packages: ${missing[*]}" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  why="this is not root"
  command -v apt-get >/dev/null || why="apt-get is not available"
  echo "setup: missing system packages (${missing[*]}) and $why; install them with:" \
       "sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "setup: installing system packages: ${missing[*]} (once; about 1-3 minutes)"
if ! { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"; } \
     >"$log" 2>&1; then
  echo "setup: apt-get failed; its last lines:" >&2
  tail -n 25 "$log" >&2
  exit 1
fi
echo "setup: system packages installed"

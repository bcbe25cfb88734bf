#!/usr/bin/env bash
# `make demo`: boot a throw-away EKS AL2-style node (systemd + containerd 1.7 in podman), install SOCI on it with
# lazypull.soci.install, and print lazypull.soci.verify's report. The node stays up for a look around.
#   SOCI_ARCHIVE=/path/soci-snapshotter-0.15.0-linux-amd64.tar.gz  install that tarball (its .sha256sum beside it)
#   SOCI_RELEASE_URL=https://mirror/soci/releases/download         download from a mirror laid out like GitHub's
# Without either it downloads the real release; where GitHub cannot be reached it says so and installs the test
# stand-in (tests/standin), which is not SOCI but serves snapshots through SOCI's socket.
set -euo pipefail
cd "$(dirname "$0")/../.."
node=lazypull-demo
version=${SOCI_VERSION:-0.15.0}
work=.cache/demo
mkdir -p "$work"
case $(uname -m) in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) arch=$(uname -m) ;; esac

release=(-e "soci_version=$version")
if [ -n "${SOCI_ARCHIVE:-}" ]; then
  release+=(-e "soci_archive=$(cd "$(dirname "$SOCI_ARCHIVE")" && pwd)/$(basename "$SOCI_ARCHIVE")")
  echo "demo: installing SOCI from $SOCI_ARCHIVE"
elif [ -n "${SOCI_RELEASE_URL:-}" ]; then
  release+=(-e "soci_release_base_url=$SOCI_RELEASE_URL")
  echo "demo: installing SOCI $version from $SOCI_RELEASE_URL"
else
  official="https://github.com/awslabs/soci-snapshotter/releases/download/v$version/soci-snapshotter-$version-linux-$arch.tar.gz.sha256sum"
  if python3 -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=15)" "$official" 2>/dev/null; then
    echo "demo: installing the real SOCI $version release from GitHub"
  else
    echo "demo: GitHub cannot be reached from here; installing the TEST STAND-IN release (tests/standin), which is"
    echo "      not SOCI. Set SOCI_ARCHIVE or SOCI_RELEASE_URL to install a real release."
    release+=(-e "soci_release_base_url=http://127.0.0.1:5124")
  fi
fi

cat >"$work/inventory.yml" <<YAML
all:
  hosts:
    $node:
      ansible_connection: containers.podman.podman
      ansible_python_interpreter: /usr/bin/python3
      lazypull_layout: eks_al2
      lazypull_registry: 127.0.0.1:5123
YAML
nodes="{\"lazypull_nodes\": [{\"name\": \"$node\", \"suite\": \"trixie\"}]}"

echo "== demo: booting $node (the first run builds the node image, about a minute)"
ansible-playbook molecule/resources/playbooks/destroy.yml -e "$nodes" >/dev/null
ansible-playbook molecule/resources/playbooks/create.yml -e "$nodes" >/dev/null
echo "== demo: laying out the node like an EKS AL2 worker"
ansible-playbook -i "$work/inventory.yml" molecule/resources/playbooks/prepare.yml >/dev/null
echo "== demo: ansible-playbook lazypull.soci.install"
ansible-playbook -i "$work/inventory.yml" lazypull.soci.install "${release[@]}"
echo "== demo: ansible-playbook lazypull.soci.verify"
ansible-playbook -i "$work/inventory.yml" lazypull.soci.verify -e "soci_report_file=$PWD/$work/report.json"
echo "== demo: done. The node is still up: podman exec -it $node bash   (make demo-clean removes it)"
echo "   report: $work/report.json"

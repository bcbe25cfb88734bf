#!/usr/bin/env bash
# `make demo`: boot a throw-away node laid out like today's EKS AL2023 AMI (systemd + containerd 2 in podman, the
# AMI's own SOCI package and units, nodeadm with FastImagePull), set SOCI up for lazy loading with
# lazypull.soci.install, pull and run an image through the soci snapshotter, and print lazypull.soci.verify's
# report. The node stays up for a look around (`make demo-clean` removes it); on failure or Ctrl-C it is removed
# (KEEP_NODE=1 keeps it), and the local release server and registry are stopped on every exit.
# The role keeps the AMI's SOCI package (install method auto). To run a SOCI release instead (method release):
#   SOCI_ARCHIVE=/path/soci-snapshotter-0.16.1-linux-amd64.tar.gz  install that tarball (its .sha256sum beside it)
#   SOCI_RELEASE_URL=https://mirror/soci/releases/download         download from a mirror laid out like GitHub's
#   SOCI_VERSION=0.16.1                                            download that version from GitHub
# Where GitHub cannot be reached the release comes from the real SOCI built from its Go module (tests/soci), served
# from a local mirror laid out like GitHub's releases. That build also fills the AMI's package stand-in.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tests/utils/steps.sh
. tests/utils/steps.sh
node=lazypull-demo
version=${SOCI_VERSION:-}
default_version=$(sed -n 's/^soci_version: "\(.*\)"$/\1/p' roles/soci/defaults/main.yml)
work=.cache/demo
state=${LAZYPULL_TEST_STATE:-$PWD/.cache/test-services}
resources=molecule/resources
export STEP_LOGS=$work/logs ANSIBLE_CALLBACK_RESULT_FORMAT=yaml ANSIBLE_NOCOLOR=1
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/$resources/containers.conf}
rm -rf "$STEP_LOGS" && mkdir -p "$work"
case $(uname -m) in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) arch=$(uname -m) ;; esac

finished=false
cleanup() {
  "$resources/services.sh" stop "$state" >/dev/null 2>&1 || true
  if [ "$finished" != true ] && [ "${KEEP_NODE:-0}" != 1 ] && command -v podman >/dev/null; then
    podman rm --force --time 5 "$node" >/dev/null 2>&1 || true
    podman volume rm --force "$node-containerd" "$node-soci" >/dev/null 2>&1 || true
    echo "demo: did not finish; the node was removed and the local services stopped (KEEP_NODE=1 keeps the node)" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "checking podman" podman info
release=()
[ -n "$version" ] && release+=(-e "soci_version=$version")
if [ -n "${SOCI_ARCHIVE:-}" ]; then
  release+=(-e "soci_archive=$(cd "$(dirname "$SOCI_ARCHIVE")" && pwd)/$(basename "$SOCI_ARCHIVE")")
  echo "demo: installing SOCI from $SOCI_ARCHIVE"
elif [ -n "${SOCI_RELEASE_URL:-}" ]; then
  release+=(-e "soci_release_base_url=$SOCI_RELEASE_URL")
  echo "demo: installing SOCI ${version:-$default_version} from $SOCI_RELEASE_URL"
elif [ -n "$version" ]; then
  official="https://github.com/awslabs/soci-snapshotter/releases/download/v$version"
  official+="/soci-snapshotter-$version-linux-$arch.tar.gz.sha256sum"
  if python3 -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=15)" "$official" 2>/dev/null; then
    echo "demo: installing the real SOCI $version release from GitHub"
  else
    echo "demo: GitHub cannot be reached from here: SOCI $version is built from its Go module and served from"
    echo "      a local mirror laid out like GitHub's releases (tests/soci)."
    release+=(-e "soci_release_base_url=http://127.0.0.1:5124")
  fi
else
  echo "demo: the node keeps the AMI's own SOCI package; the role configures it (SOCI_VERSION=... installs a release)"
fi
if [ ${#release[@]} -gt 0 ]; then release+=(-e soci_install_method=release); fi
case " ${release[*]} " in
  *"soci_release_base_url=http://"*)
    echo "demo: the mirror is plain HTTP: soci_allow_insecure_download=true (the role refuses http:// without it)"
    release+=(-e soci_allow_insecure_download=true) ;;
esac
step "building the real SOCI from its Go module (first run: about 3-6 min; cached afterwards)" \
  tests/soci/make-release.sh "$version" "$state/releases"

cat >"$work/inventory.yml" <<YAML
all:
  hosts:
    $node:
      ansible_connection: containers.podman.podman
      ansible_python_interpreter: /usr/bin/python3
      lazypull_layout: eks_al2023
      lazypull_containerd_major: 2
      lazypull_fast_image_pull: true
      lazypull_nodeadm_resources: {cpu_millicores: 4000, memory_mib: 16384}
      lazypull_registry: 127.0.0.1:5123
      lazypull_private_registry: 127.0.0.1:5125
YAML
nodes="{\"lazypull_nodes\": [{\"name\": \"$node\", \"suite\": \"containerd2\"}]}"
inventory=(-i "$work/inventory.yml")

step "building the node image (first run: about 1 min; cached afterwards)" "$resources/build-node-image.sh" containerd2
step "starting the local release server and registry" "$resources/services.sh" start "$state"
boot() {
  podman rm --force --time 5 "$node" && podman volume rm --force "$node-containerd" "$node-soci"
  ansible-playbook "$resources/playbooks/create.yml" -e "$nodes"
}
step "booting $node (about 15 s)" boot
step "laying out the node like an EKS AL2023 AMI worker: its SOCI package and units, nodeadm (about 30 s)" \
  ansible-playbook "${inventory[@]}" "$resources/playbooks/prepare.yml"
step "ansible-playbook lazypull.soci.install (about 40 s)" \
  ansible-playbook "${inventory[@]}" lazypull.soci.install "${release[@]}"
sed -n '/^PLAY RECAP/,$p' "$STEP_LOGS"/*install*.log | grep ' : ok=' | sed 's/  */ /g; s/^/   /'
step "pulling SOCI-indexed images through CRI and running them (about 20 s)" \
  ansible-playbook "${inventory[@]}" "$resources/playbooks/verify.yml"
echo "== ansible-playbook lazypull.soci.verify"
ANSIBLE_CALLBACK_RESULT_FORMAT=json ansible-playbook "${inventory[@]}" lazypull.soci.verify -e "soci_report_file=$PWD/$work/report.json"
finished=true
echo "== demo: proven on $node: lazypull.soci.install set up SOCI $(podman exec "$node" soci-snapshotter-grpc --version | cut -d' ' -f3)"
echo "   for lazy loading (nodeadm's FastImagePull had it in parallel mode; the AMI's package and units are kept),"
echo "   then kubelet's way of pulling (CRI, through SOCI's socket) fetched a SOCI-indexed image from the local"
echo "   registries, one of them private: its 32 MiB layer was mounted lazily over FUSE instead of being downloaded,"
echo "   and the container ran. The node is still up: podman exec -it $node bash"
echo "   Report: $work/report.json. Logs of each step: $STEP_LOGS/. Remove the node: make demo-clean"

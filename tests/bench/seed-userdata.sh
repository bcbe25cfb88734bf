#!/usr/bin/env bash
# The seed's userData (shared seeds: karpenter-config, `default` node template) as `make bench` runs it: the same
# steps in the same order, pushed to the node over the same podman connection as the role, in one call. Changed only
# where this node differs from an EKS AL2 instance, each marked BENCH:
#   - the release comes from the local release server (SOCI_RELEASE_BASE_URL), at the role's default version, and its
#     archive holds bare member names (not ./soci), as today's releases do; the file names are quoted and
#     `read -r`/`jq FILE` replace `read`/`cat | jq` (shellcheck), which changes nothing here;
#   - a leading "v" is taken off containerd's version (upstream builds print v1.7.x; the seed compared it as is);
#   - no `yum install fuse` (a Debian node, FUSE's tools already there: the role skips that step here too), and
#     `modprobe fuse` only where /dev/fuse is missing (this kernel has FUSE built in, as the role checks);
#   - at the end, the boot-time part of bootstrap.sh that a real instance runs after userData (copy the template over
#     the live config, restart containerd): the role's run ends with containerd serving SOCI too.
# Nothing is checked that the seed does not check.
set -ex

version_lte() {
  printf '%s\n' "$1" "$2" | sort -C -V
}

version_lt() {
  ! version_lte "$2" "$1"
}
CONTAINERD_VERSION_OUTPUT="$(containerd --version)"
IFS=" " read -r -a CONTAINERD_VERSION_STRING <<< "${CONTAINERD_VERSION_OUTPUT}"
CONTAINERD_VERSION=${CONTAINERD_VERSION_STRING[2]#v}
echo containerd version "${CONTAINERD_VERSION}"

setup_soci() {( set -ex

SOCI_RELEASE_VERSION="${SOCI_RELEASE_VERSION:?}"  # BENCH: the role's default version

[ -e /dev/fuse ] || modprobe fuse  # BENCH: no yum; FUSE is built into this kernel

cd /tmp
curl \
--silent \
--show-error \
--retry 10 \
--retry-delay 1 \
-L "${SOCI_RELEASE_BASE_URL:?}/v$SOCI_RELEASE_VERSION/soci-snapshotter-$SOCI_RELEASE_VERSION-linux-amd64.tar.gz" \
-o "soci-snapshotter-$SOCI_RELEASE_VERSION-linux-amd64.tar.gz"

tar -C /usr/local/bin -xvf "soci-snapshotter-$SOCI_RELEASE_VERSION-linux-amd64.tar.gz" soci soci-snapshotter-grpc
rm "soci-snapshotter-$SOCI_RELEASE_VERSION-linux-amd64.tar.gz"

cat > /etc/systemd/system/soci-snapshotter.service << EOF
[Unit]
Description=soci snapshotter containerd plugin
Documentation=https://github.com/awslabs/soci-snapshotter
After=network.target
Before=containerd.service

[Service]
Type=notify
ExecStart=/usr/local/bin/soci-snapshotter-grpc
Restart=always
RestartSec=5

[Install]
WantedBy=multi-user.target
EOF

KUBELET_CONFIG_PATH=/etc/kubernetes/kubelet/kubelet-config.json

if [ -f "$KUBELET_CONFIG_PATH" ]; then
  jq '.imageServiceEndpoint = "unix:///run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock"' $KUBELET_CONFIG_PATH > $KUBELET_CONFIG_PATH.tmp && mv -f $KUBELET_CONFIG_PATH.tmp $KUBELET_CONFIG_PATH
else
  echo Kubelet Config not found at $KUBELET_CONFIG_PATH. SOCI will not work for private image.
fi

mkdir -p /etc/soci-snapshotter-grpc

cat > /etc/soci-snapshotter-grpc/config.toml << EOF
[cri_keychain]
enable_keychain=true
image_service_path="/run/containerd/containerd.sock"
EOF

systemctl daemon-reload
systemctl enable --now soci-snapshotter
systemctl status soci-snapshotter

echo patching /etc/eks/containerd/containerd-config.toml
cat > /etc/eks/containerd/containerd-config.toml << EOF
version = 2
root = "/var/lib/containerd"
state = "/run/containerd"

[grpc]
address = "/run/containerd/containerd.sock"

[plugins."io.containerd.grpc.v1.cri".containerd]
default_runtime_name = "runc"
discard_unpacked_layers = true
## ENABLE SOCI SNAPSHOTTER
snapshotter = "soci"
disable_snapshot_annotations = false
##

[plugins."io.containerd.grpc.v1.cri"]
sandbox_image = "SANDBOX_IMAGE"

[plugins."io.containerd.grpc.v1.cri".registry]
config_path = "/etc/containerd/certs.d:/etc/docker/certs.d"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
runtime_type = "io.containerd.runc.v2"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
SystemdCgroup = true

[plugins."io.containerd.grpc.v1.cri".cni]
bin_dir = "/opt/cni/bin"
conf_dir = "/etc/cni/net.d"

## SOCI PLUGIN
[proxy_plugins]
[proxy_plugins.soci]
type = "snapshot"
address = "/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock"
##
EOF

)}

if [ -n "$CONTAINERD_VERSION" ] && version_lte "1.5.0" "$CONTAINERD_VERSION" && version_lt "$CONTAINERD_VERSION" "2.0"; then
setup_soci
else
  echo "CONTAINERD_VERSION is empty or not within the specified range."
fi

/usr/local/sbin/eks-bootstrap-standin  # BENCH: what bootstrap.sh then does at boot (stand-in, see prepare.yml)

#!/bin/sh
# lazypull.soci.verify (run as /bin/sh -c SCRIPT verify BIN_DIR SNAPSHOTTER SOCI_CONFIG UNIT KUBELET_CONFIG...): the
# node's state in one round trip, as key=value lines. The kubelet configs are those of every node layout
# (lookup lazypull.soci.node_layouts), AL2023's drop-ins included; SOCI's config.toml comes back as base64 and the
# playbook reads the pull mode from it with the role's own table (filter lazypull.soci.soci_pull_mode).
say() { printf '%s=%s\n' "$1" "$2"; }
bin_dir=$1 snapshotter=$2 soci_config=$3 unit=$4
shift 4
PATH="$PATH:$bin_dir:/usr/bin"
say containerd "$(containerd --version 2>/dev/null | awk '{print $3}')"
say soci "$(soci-snapshotter-grpc --version 2>/dev/null | awk '{print $3}')"
# Who owns SOCI here: the role's own units, or the platform's (a package such as the EKS AL2023 AMI's).
say units_from "$(if [ ! -f "$unit" ]; then echo none; elif grep -q 'lazypull\.soci' "$unit"; then echo lazypull.soci;
  else echo platform; fi)"
say package "$( { rpm -qf --qf '%{NAME}-%{VERSION}' /usr/bin/soci-snapshotter-grpc 2>/dev/null ||
  dpkg-query -S /usr/bin/soci-snapshotter-grpc 2>/dev/null | cut -d: -f1; } | grep -v ' ' | head -n 1)"
for u in soci-snapshotter.socket soci-snapshotter.service containerd.service kubelet.service; do
  say "unit:$u" "$(systemctl is-active "$u" 2>/dev/null)"
done
say plugin "$(ctr plugins ls "id==$snapshotter" 2>/dev/null | awk 'NR > 1 {print $NF}')"
say snapshots "$(ctr -n k8s.io snapshots --snapshotter "$snapshotter" ls 2>/dev/null | awk 'NR > 1' | wc -l)"
say fuse_mounts "$(grep -c ' fuse.rawBridge ' /proc/mounts)"
for f in "$@"; do set -- "$@" "$f.d"/*; done
say endpoint "$(grep -ho 'imageServiceEndpoint["]*: *"*[^",]*' "$@" 2>/dev/null | head -n 1 |
  sed 's/^imageServiceEndpoint"*: *"*//')"
say soci_config "$(base64 < "$soci_config" 2>/dev/null | tr -d '\n')"

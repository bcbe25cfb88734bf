#!/bin/sh
# lazypull.soci.verify (run as /bin/sh -c SCRIPT verify BIN_DIR SNAPSHOTTER SOCKET SOCI_CONFIG UNIT KUBELET_CONFIG...):
# the node's state in one round trip, as key=value lines. The kubelet configs are those of every node layout
# (lookup lazypull.soci.node_layouts), AL2023's drop-ins included; SOCI's config.toml comes back as base64 and the
# playbook reads the pull mode from it with the role's own table (filter lazypull.soci.soci_pull_mode).
say() { printf '%s=%s\n' "$1" "$2"; }
bin_dir=$1 snapshotter=$2 socket=$3 soci_config=$4 unit=$5
shift 5
PATH="$bin_dir:$PATH:/usr/bin"  # the release the role installs before a package's copy (sudo's secure_path has no /usr/local/bin)
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
# containerd's proxy plugin says "ok" whether or not anything listens on its socket: SOCI itself is asked there (any
# gRPC answer counts; a fresh SOCI answers "not found"), time-boxed, as the role's health check does.
answer=$(timeout 10 ctr --address "$socket" snapshots ls 2>&1)
case $?:$answer in
  0:*|*"not found"*) answer=yes ;;
  124:*) answer="no answer within 10 s" ;;
  *) answer=$(printf '%s' "$answer" | tail -n 1 | cut -c1-160) ;;
esac
say soci_answers "$answer"
# The snapshotter containerd's CRI plugin (every pod) uses, from the effective configuration; nothing else of the dump,
# which can carry registry credentials, leaves the node.
say cri_snapshotter "$(containerd config dump 2>/dev/null | awk '
  /^ *\[/ { table = $0; gsub(/["\047 ]/, "", table) }
  $1 == "snapshotter" && (table == "[plugins.io.containerd.cri.v1.images]" ||
    table == "[plugins.io.containerd.grpc.v1.cri.containerd]" || table == "[plugins.cri.containerd]") {
    value = $3; gsub(/["\047]/, "", value); print value; exit }')"
say fuse_mounts "$(grep -c ' fuse.rawBridge ' /proc/mounts)"
for f in "$@"; do set -- "$@" "$f.d"/*; done
say endpoint "$(grep -ho 'imageServiceEndpoint["]*: *"*[^",]*' "$@" 2>/dev/null | head -n 1 |
  sed 's/^imageServiceEndpoint"*: *"*//')"
say soci_config "$(base64 < "$soci_config" 2>/dev/null | tr -d '\n')"

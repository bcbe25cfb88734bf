#!/bin/sh
# The role's one look at the node (tasks/preflight.yml runs it as a raw command: one round trip, no fact gathering,
# and no Python needed, so a node whose Python Ansible cannot use gets a clear answer).
#   probe.sh BIN_DIR SANDBOX_ARCHIVE SOCI_CONFIG TIMEOUT PYTHON FALLBACKS DOCKER_CONFIG HELPER_PATH CONTAINERD
#            EDIT_RECORD FILE...
# PYTHON is the node's interpreter setting (a path, or auto...: the first of FALLBACKS found, as Ansible discovers).
# Prints key=value lines (file:PATH=... for each FILE that exists, see the end). Every command that talks to a daemon
# is time-boxed.
say() { printf '%s=%s\n' "$1" "$2"; }
bin_dir=$1 sandbox=$2 soci_config=$3 limit=$4 python=$5 fallbacks=$6 docker_config=$7 helper_path=$8 containerd=$9
record=${10}
shift 10
platform=/usr/bin/soci-snapshotter-grpc
unit=/etc/systemd/system/soci-snapshotter.service

case "$python" in
  auto*|'') python=$(for p in $fallbacks; do command -v "$p" 2>/dev/null && break; done | head -n 1) ;;
esac
say python "$python"
say python_version "$([ -n "$python" ] && "$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)"
say arch "$(uname -m)"
say glibc "$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')"
say pkg "$(for p in dnf yum apt-get zypper; do command -v $p >/dev/null 2>&1 && { echo $p; break; }; done)"
say nodeadm "$( { [ -d /etc/eks/nodeadm.d ] || command -v nodeadm >/dev/null 2>&1; } && echo 1 || echo 0)"
say eks_al2 "$([ -f /etc/eks/containerd/containerd-config.toml ] && echo 1 || echo 0)"
say fuse "$( { [ -e /dev/fuse ] || [ -d /sys/module/fuse ]; } && echo 1 || echo 0)"
# SOCI looks for fusermount only (not fusermount3); without it, it mounts directly, which needs root.
say fusermount "$(command -v fusermount 2>/dev/null)"
say unpigz "$(command -v unpigz 2>/dev/null)"
say ctr "$(command -v ctr 2>/dev/null)"
# containerd as the containerd_version module finds it (a path, or a name looked up in PATH and the usual folders),
# and the first line of its --version (the containerd_version_facts filter parses it).
case $containerd in
  /*) [ -f "$containerd" ] && [ -x "$containerd" ] || containerd="" ;;
  *) containerd=$(PATH="$PATH:/usr/local/bin:/usr/bin:/usr/sbin" command -v "$containerd" 2>/dev/null) ;;
esac
say containerd_binary "$containerd"
say containerd_version "$([ -n "$containerd" ] && timeout "$limit" "$containerd" --version 2>/dev/null | head -n 1)"
say soci "$(timeout "$limit" "$bin_dir/soci-snapshotter-grpc" --version 2>/dev/null | head -n 1)"
# SOCI the platform ships (the EKS AL2023 AMI's soci-snapshotter package) and who owns the SOCI units.
say platform_soci "$(timeout "$limit" "$platform" --version 2>/dev/null | head -n 1)"
if command -v rpm >/dev/null 2>&1 && rpm -qf "$platform" >/dev/null 2>&1; then
  say soci_package "$(rpm -qf --qf '%{NAME}-%{VERSION}-%{RELEASE}' "$platform")"
elif command -v dpkg-query >/dev/null 2>&1 && owner=$(dpkg-query -S "$platform" 2>/dev/null); then
  say soci_package "$(dpkg-query -W -f '${Package}-${Version}' "${owner%%:*}")"
else
  say soci_package ""
fi
if [ ! -f "$unit" ]; then say soci_units none
elif grep -q 'lazypull\.soci' "$unit"; then say soci_units role
else say soci_units platform
fi
say platform_socket "$(sed -n 's/^ListenStream=//p' "${unit%.service}.socket" 2>/dev/null | tail -n 1)"
say soci_config_sha "$(sha256sum "$soci_config" 2>/dev/null | cut -d ' ' -f 1)"
say running "$(timeout "$limit" ctr -n k8s.io task ls -q 2>/dev/null | wc -l)"
dump=$([ -n "$containerd" ] && timeout "$limit" "$containerd" config dump 2>/dev/null)
# The snapshotter containerd's CRI plugin uses now (every pod's), from its effective configuration.
say cri_snapshotter "$(printf '%s\n' "$dump" | awk '
  /^[[:space:]]*\[/ { t = $0; gsub(/[[:space:]"\047]/, "", t) }
  /^[[:space:]]*snapshotter[[:space:]]*=/ && (t == "[plugins.io.containerd.grpc.v1.cri.containerd]" ||
      t == "[plugins.io.containerd.cri.v1.images]" || t == "[plugins.cri.containerd]") {
    v = $0; sub(/^[^=]*=[[:space:]]*/, "", v); gsub(/["\047[:space:]]/, "", v); print v; exit }')"
# Its default runtime (GPU nodes: whether nvidia-ctk must make nvidia the default). The dump itself stays on the
# node: it can hold registry credentials.
say default_runtime "$(printf '%s\n' "$dump" | sed -n 's/^[[:space:]]*default_runtime_name[[:space:]]*=[[:space:]]*["\x27]\([^"\x27]*\)["\x27].*/\1/p' | head -n 1)"
# The files containerd imports (in its merge order) that carry a whole schema 1/2 CRI section, such as nvidia-ctk's
# drop-ins: on containerd 1.x each replaces the main file's CRI section, so each must carry SOCI too.
for f in $(printf '%s\n' "$dump" | sed -n 's/^imports = \[\(.*\)\]$/\1/p' | tr -d "\"'," ); do
  [ "$f" = /etc/containerd/config.toml ] && continue  # containerd 1.x lists the main file itself
  grep -qE '^[[:space:]]*\[plugins\.("io\.containerd\.grpc\.v1\.cri"|cri)' "$f" 2>/dev/null && say "cri_import:$f" 1
done
# Root's docker config, which SOCI always reads: whether it parses, and the credential helpers it names that SOCI
# (started by systemd, with its default PATH) could not run. Only helper names leave the node, never credentials.
if [ ! -f "$docker_config" ]; then say docker_config missing
elif helpers=$("$python" -c 'import json, sys
c = json.load(open(sys.argv[1]))
names = list((c.get("credHelpers") or {}).values()) + ([c["credsStore"]] if c.get("credsStore") else [])
print(" ".join(sorted(set(names))))' "$docker_config" 2>/dev/null); then
  say docker_config present
  missing=""
  for h in $helpers; do PATH=$helper_path command -v "docker-credential-$h" >/dev/null 2>&1 || missing="$missing $h"; done
  say docker_helpers_missing "${missing# }"
else say docker_config invalid
fi
say sandbox_archive "$([ -f "$sandbox" ] && echo "$sandbox")"
# NVIDIA PCI devices (vendor 10de): from lspci where the node has it, else from sysfs.
if command -v lspci >/dev/null 2>&1; then
  say gpu "$(lspci -n 2>/dev/null | grep -c ' 10de:')"
else
  say gpu "$(grep -l 0x10de /sys/bus/pci/devices/*/vendor 2>/dev/null | wc -l)"
fi
say nvidia_runtime "$(command -v nvidia-container-runtime 2>/dev/null)"
say nvidia_ctk "$(command -v nvidia-ctk 2>/dev/null)"
say nvidia_loaded "$(lsmod 2>/dev/null | grep -q '^nvidia ' && echo 1 || echo 0)"
say instance_type "$(cat /sys/devices/virtual/dmi/id/product_name 2>/dev/null)"
say kubelet "$(systemctl is-active kubelet 2>/dev/null)"
for u in soci-snapshotter.socket soci-snapshotter.service lazypull-soci-sandbox-import.service; do
  say "enabled:$u" "$(systemctl is-enabled "$u" 2>/dev/null)"
done
# The role's record of the containerd and kubelet files it edited, "STAMP SHA256 PATH" a line
# (plugin_utils/_edit_record.py): a file whose checksum below is the recorded one needs no read.
if [ -f "$record" ]; then
  while read -r stamp sha path || [ -n "$path" ]; do [ -n "$path" ] && say "edited:$path" "$stamp $sha"; done < "$record"
fi
# Each FILE that exists. A small regular file as "SHA256 MODE UID GID" and a folder as "dir MODE UID GID": the role
# compares them with what it would write, and leaves what is already right alone without another round trip.
for f in "$@"; do
  if [ -f "$f" ] && [ "$(wc -c < "$f")" -lt 1048576 ]; then
    say "file:$f" "$(sha256sum < "$f" | cut -d ' ' -f 1) $(stat -L -c '%a %u %g' "$f")"
  elif [ -d "$f" ]; then say "file:$f" "dir $(stat -L -c '%a %u %g' "$f")"
  elif [ -e "$f" ]; then say "file:$f" 1
  fi
done
true

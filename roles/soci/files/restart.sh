#!/bin/sh
# lazypull.soci role, handlers/main.yml and tasks/rollback.yml (run as /bin/sh -c SCRIPT NAME ARGS...).
# $1 containerd's binary; $2 soci (restart SOCI's socket and service), restart or start (containerd.service, then the
# other units given are restarted too; start leaves a running containerd as it is). containerd reads its
# configuration first: a restart into one it cannot load would leave the node without containerd, and restarting
# SOCI stops a containerd that requires it
# (the EKS AL2023 AMI's FastImagePull drop-in). The configuration can be broken without this role having changed it
# (another tool, a hand edit). Says what it did on stdout; exits 3 when it left everything as it was.
binary=$1 how=$2
shift 2
check=yes
case $how in
  start)
    if systemctl is-active --quiet containerd.service; then
      shift
      [ $# -eq 0 ] && exit 0
      systemctl restart "$@" && echo "restarted $*"
      exit
    fi ;;
  soci) systemctl is-active --quiet containerd.service || check=no ;;
esac
if [ $check = yes ] && ! out=$(timeout 60 "$binary" config dump 2>&1 >/dev/null); then
  if [ "$how" = soci ]; then what="SOCI, which containerd needs, was not restarted"; else what="containerd was not ${how}ed"; fi
  echo "containerd cannot load its configuration, so $what: $(printf '%s' "$out" | tail -n 1)" >&2
  exit 3
fi
if [ "$how" = soci ]; then
  # Socket first: with it down nothing can start the service again (containerd's Requires= would, racing a separate
  # socket restart) before the new socket listens. A containerd that requires SOCI stops with it: the role starts it
  # again after its handlers (tasks/health.yml), the rollback with this script's start.
  systemctl stop soci-snapshotter.socket soci-snapshotter.service && systemctl start soci-snapshotter.socket &&
    systemctl start soci-snapshotter.service && echo restarted
elif [ "$how" = start ]; then
  systemctl start "$1" && shift && { [ $# -eq 0 ] || systemctl restart "$@"; } && echo started
else
  systemctl "$how" "$@" && echo "${how}ed"
fi

#!/bin/sh
# lazypull.soci role, tasks/health.yml (run as /bin/sh -c SCRIPT NAME ARGS...): the run's one systemd step.
# $1 seconds to wait, $2 the snapshotter, $3 SOCI's socket, $4 the role's record of the files it edited and $5 its new
# lines (empty: keep it as it is), $6 containerd's binary, $7 the text of restart.sh; then the steps, in the order
# given, up to "--": reload (systemd's units), enable:UNIT, restart:soci, restart:containerd.service,
# restart:kubelet.service, and the ones done once the node answers: import:UNIT (restart a oneshot that imports into
# SOCI) and drop:PATH (remove a backup the run no longer needs); then the units to start where they do not run. Each
# step taken is printed ("reloaded", "enabled UNIT", "restart soci" once restart.sh got past containerd's check, so a
# rollback knows what to restart again, "started UNIT", "imported UNIT", "dropped PATH").
# An image build (soci_bake) gives try:UNIT (start the snapshotter on its new configuration, then stop it and its
# socket without touching what requires it), clean:DIR (empty its data folder: what that start left is not the
# image's) and bake: no unit is started and there is no poll, the image's next boot starts them ("tried UNIT",
# "cleaned DIR").
# containerd lists snapshots from its own metadata, so SOCI is asked itself too, on the socket containerd was given: any
# gRPC answer counts (a fresh SOCI answers "not found": no snapshots yet). Each try is time-boxed: a daemon may take
# the connection and never answer. The record is written once the node answers: the next run's probe reads it
# (plugin_utils/_edit_record.py).
limit=$1 snapshotter=$2 socket=$3 record=$4 edits=$5 binary=$6 restart=$7
shift 7
healthy() {
  for step in $later; do
    case $step in
      import:*) systemctl restart "${step#import:}" || exit 1; echo "imported ${step#import:}" ;;
      drop:*) rm -f -- "${step#drop:}" && echo "dropped ${step#drop:}" ;;
    esac
  done
  # The record only spares the next run some reads: a node that cannot keep it is still healthy.
  if [ -n "$edits" ]; then
    if mkdir -p "${record%/*}" && printf '%s\n' "$edits" > "$record.new" && mv -f "$record.new" "$record"; then
      echo "recorded $record"
    else
      rm -f -- "$record.new"; echo "$record: not written (the next run reads the files again)" >&2
    fi
  fi
  exit 0
}
later="" bake=""
while [ $# -gt 0 ]; do
  step=$1
  shift
  case $step in
    --) break ;;
    reload) systemctl daemon-reload || exit 1; echo reloaded ;;
    enable:*) systemctl enable --quiet "${step#enable:}" || exit 1; echo "enabled ${step#enable:}" ;;
    restart:soci|restart:containerd.service)
      if [ "$step" = restart:soci ]; then how=soci; else how="restart ${step#restart:}"; fi
      # shellcheck disable=SC2086 # how is "soci" or "restart UNIT"
      sh -c "$restart" restart "$binary" $how >/dev/null
      rc=$?
      [ $rc -eq 3 ] || echo "$step" | tr : ' '
      [ $rc -eq 0 ] || exit 1 ;;
    restart:*) echo "$step" | tr : ' '; systemctl restart "${step#restart:}" || exit 1 ;;
    try:?*.service)
      unit=${step#try:}
      systemctl start "$unit" || exit 1
      systemctl stop --job-mode=ignore-dependencies "$unit" "${unit%.service}.socket" || exit 1
      echo "tried $unit" ;;
    clean:/?*) find "${step#clean:}" -mindepth 1 -maxdepth 1 -exec rm -rf -- {} + 2>/dev/null; echo "cleaned ${step#clean:}" ;;
    bake) bake=1 ;;
    import:?*|drop:/*) later="$later $step" ;;
    *) echo "unknown step: $step" >&2; exit 2 ;;
  esac
done
[ -n "$bake" ] && healthy
end=$(( $(date +%s) + limit ))
for unit; do
  systemctl is-active --quiet "$unit" && continue
  systemctl start "$unit" || exit 1
  echo "started $unit"
done
while :; do
  if out=$(timeout 10 ctr --namespace k8s.io snapshots --snapshotter "$snapshotter" ls 2>&1); then
    out=$(timeout 10 ctr --address "$socket" snapshots ls 2>&1) && healthy
    rc=$?
    case $out in *"not found"*) healthy ;; esac
    [ $rc -eq 124 ] && out="no answer within 10 s"
    out="SOCI at $socket: $(printf '%s' "$out" | tail -n 1)"
  else
    [ $? -eq 124 ] && out="no answer within 10 s"
    out="containerd: $(printf '%s' "$out" | tail -n 1)"
  fi
  if [ "$(date +%s)" -ge "$end" ]; then
    echo "the $snapshotter snapshotter did not answer within $limit s ($out)" >&2; exit 1
  fi
  sleep 2
done

#!/bin/sh
# lazypull.soci role, tasks/health.yml (run as /bin/sh -c SCRIPT NAME ARGS...).
# $1 seconds to wait, $2 the snapshotter, $3 SOCI's socket, $4 the role's record of the files it edited and $5 its new
# lines (empty: keep it as it is), then the units to start first where they do not run (each one started is printed).
# containerd lists snapshots from its own metadata, so SOCI is asked itself too, on the socket containerd was given: any
# gRPC answer counts (a fresh SOCI answers "not found": no snapshots yet). Each try is time-boxed: a daemon may take
# the connection and never answer. The record is written once the node answers: the next run's probe reads it
# (plugin_utils/_edit_record.py).
limit=$1 snapshotter=$2 socket=$3 record=$4 edits=$5
end=$(( $(date +%s) + limit ))
shift 5
# The record only spares the next run some reads: a node that cannot keep it is still healthy.
healthy() {
  if [ -n "$edits" ]; then
    if mkdir -p "${record%/*}" && printf '%s\n' "$edits" > "$record.new" && mv -f "$record.new" "$record"; then
      echo "recorded $record"
    else
      rm -f -- "$record.new"; echo "$record: not written (the next run reads the files again)" >&2
    fi
  fi
  exit 0
}
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

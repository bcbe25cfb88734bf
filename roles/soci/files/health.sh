#!/bin/sh
# lazypull.soci role, tasks/health.yml (run as /bin/sh -c SCRIPT NAME ARGS...).
# $1 seconds to wait, $2 the snapshotter, $3 SOCI's socket. containerd lists snapshots from its
# own metadata, so SOCI is asked itself too, on the socket containerd was given: any gRPC answer counts (a fresh SOCI
# answers "not found": no snapshots yet). Each try is time-boxed: a daemon may take the connection and never answer.
end=$(( $(date +%s) + $1 ))
while :; do
  if out=$(timeout 10 ctr --namespace k8s.io snapshots --snapshotter "$2" ls 2>&1); then
    out=$(timeout 10 ctr --address "$3" snapshots ls 2>&1) && exit 0
    rc=$?
    case $out in *"not found"*) exit 0 ;; esac
    [ $rc -eq 124 ] && out="no answer within 10 s"
    out="SOCI at $3: $(printf '%s' "$out" | tail -n 1)"
  else
    [ $? -eq 124 ] && out="no answer within 10 s"
    out="containerd: $(printf '%s' "$out" | tail -n 1)"
  fi
  if [ "$(date +%s)" -ge "$end" ]; then
    echo "the $2 snapshotter did not answer within $1 s ($out)" >&2; exit 1
  fi
  sleep 2
done

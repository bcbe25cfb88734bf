#!/bin/sh
# TEST STAND-IN for what EKS AL2's /etc/eks/bootstrap.sh does with containerd at every boot: fill SANDBOX_IMAGE in
# the AMI's template and, when the result differs from the live config, copy it over and restart containerd.
set -eu
template=/etc/eks/containerd/containerd-config.toml
rendered=$(mktemp)
sed "s,SANDBOX_IMAGE,${PAUSE_CONTAINER:-registry.k8s.io/pause:3.10},g" "$template" >"$rendered"
if ! cmp -s "$rendered" /etc/containerd/config.toml; then
  cp "$rendered" /etc/containerd/config.toml
  echo "eks-bootstrap (stand-in): /etc/containerd/config.toml regenerated from $template"
  systemctl restart containerd
fi
rm -f "$rendered"
containerd config dump >/dev/null

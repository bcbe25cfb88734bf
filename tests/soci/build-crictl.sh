#!/usr/bin/env bash
# Build crictl (kubernetes-sigs/cri-tools) from the Go module proxy once, for the test nodes: it pulls images the
# way kubelet does, through the CRI image service at SOCI's socket (the CRI keychain path), and runs pods.
#   build-crictl.sh   -> prints the path of the binary (.cache/soci/tools/crictl-<VERSION>)
# Pinned by version; go checks the module against its checksum database and the module's own go.sum.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=env.sh
. "$(dirname "$0")/env.sh"
version=v1.37.0
out=$SOCI_CACHE/tools/crictl-$version
if [ -x "$out" ]; then echo "$out"; exit 0; fi
go_check 1.24
echo "building crictl $version from the Go module proxy (first time: about 2 minutes)" >&2
mkdir -p "$SOCI_CACHE/tools"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && CGO_ENABLED=0 GOBIN="$work" go_fetch "crictl $version" go install \
  -ldflags "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=$version" "sigs.k8s.io/cri-tools/cmd/crictl@$version") >&2
mv "$work/crictl" "$out"
echo "$out"

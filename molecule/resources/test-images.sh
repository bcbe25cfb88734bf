#!/usr/bin/env bash
# Build the test images once on this machine and push them to the local registries (services.sh starts them):
#   127.0.0.1:5123/lazypull/hello:1   one busybox layer, prints a line          (pulled without lazy loading)
#   127.0.0.1:5123/lazypull/pause:1   sleeps: the pod sandbox image; also STATE/images/pause.tar for /etc/eks/pause.tar
#   127.0.0.1:5123/lazypull/large:1   busybox + a 32 MiB layer, no SOCI index
#   127.0.0.1:5123/lazypull/large:soci  the same converted by the REAL `soci convert` (SOCI index manifest v2)
#   127.0.0.1:5125/lazypull/large:soci  the same in the registry that asks for credentials
# STATE/images/large.layers lists the large image's layers (digest, snapshot chain ID), for the tests that look for
# them on a node.
#   test-images.sh STATE_DIR SOCI_CLI
set -euo pipefail
state=${1:?usage: test-images.sh STATE_DIR SOCI_CLI}
soci=${2:?usage: test-images.sh STATE_DIR SOCI_CLI}
here=$(cd "$(dirname "$0")" && pwd)
out=$state/images
stamp=$( { cat "$0" "$here/make-test-image.py"; "$soci" --version; } | sha256sum | cut -c1-16)
[ "$(cat "$out/.stamp" 2>/dev/null)" = "$stamp" ] && exit 0
rm -rf "$out" && mkdir -p "$out"
public=127.0.0.1:5123/lazypull
private=127.0.0.1:5125/lazypull
for kind in hello pause large; do
  python3 "$here/make-test-image.py" "$out/$kind.tar" "$public/$kind:1" "$kind" >"$out/$kind.layers"
done
# --min-layer-size 0: SOCI indexes only layers of 10 MiB and more by default; the busybox layer gets a zTOC too.
"$soci" convert --standalone --min-layer-size 0 "$out/large.tar" "$out/large-soci.tar" >"$out/convert.log"
push() {  # archive destination [skopeo options]
  skopeo copy --quiet --all --dest-tls-verify=false "${@:3}" "oci-archive:$1" "docker://$2"
}
for kind in hello pause large; do push "$out/$kind.tar" "$public/$kind:1"; done
push "$out/large-soci.tar" "$public/large:soci"
push "$out/large-soci.tar" "$private/large:soci" --dest-creds lazypull:lazypull-test-only
push "$out/hello.tar" "$private/hello:1" --dest-creds lazypull:lazypull-test-only
echo "$stamp" >"$out/.stamp"

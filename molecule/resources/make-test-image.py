# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write a one-layer OCI image archive holding the node's static busybox, for `ctr images import`.

    make-test-image.py OUT.tar NAME     (run on a test node; NAME like 127.0.0.1:5123/lazypull/hello:1)
No registry is reachable from the test machine, so the tests make their own image and push it to a local one.
"""
import gzip
import hashlib
import io
import json
import sys
import tarfile


def blob(data):
    return "sha256:" + hashlib.sha256(data).hexdigest(), data


def main(out, name):
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w") as tar:
        info = tarfile.TarInfo("bin")
        info.type, info.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(info)
        with open("/bin/busybox", "rb") as handle:
            data = handle.read()
        info = tarfile.TarInfo("bin/busybox")
        info.size, info.mode = len(data), 0o755
        tar.addfile(info, io.BytesIO(data))
    diff_id = "sha256:" + hashlib.sha256(layer.getvalue()).hexdigest()
    layer_digest, layer_gz = blob(gzip.compress(layer.getvalue(), mtime=0))
    config_digest, config = blob(json.dumps({
        "architecture": {"x86_64": "amd64", "aarch64": "arm64"}.get(__import__("os").uname().machine, "amd64"),
        "os": "linux",
        "config": {"Cmd": ["/bin/busybox", "echo", "hello from a SOCI-served snapshot"]},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    }).encode())
    manifest_digest, manifest = blob(json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer_digest,
                    "size": len(layer_gz)}],
    }).encode())
    index = json.dumps({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest, "size": len(manifest),
        "annotations": {"io.containerd.image.name": name, "org.opencontainers.image.ref.name": name.rsplit(":", 1)[1]},
    }]}).encode()
    with tarfile.open(out, "w") as tar:
        for path, data in [("oci-layout", b'{"imageLayoutVersion": "1.0.0"}'), ("index.json", index)] + [
                ("blobs/sha256/" + d.split(":")[1], b) for d, b in
                [(layer_digest, layer_gz), (config_digest, config), (manifest_digest, manifest)]]:
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


if __name__ == "__main__":
    main(*sys.argv[1:3])

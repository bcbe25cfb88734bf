# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write an OCI image archive built from the node's static busybox, for `ctr images import`.

    make-test-image.py OUT.tar NAME KIND     (NAME like 127.0.0.1:5123/lazypull/hello:1; needs a static /bin/busybox)
KIND: hello   one layer; prints a line and exits
      pause   one layer; sleeps until stopped (a pod sandbox image)
      large   busybox plus a 32 MiB layer of incompressible bytes; reads 16 bytes of it and prints a line, so a
              lazily loaded run fetches a small part of that layer
No registry is reachable from the test machine, so the tests make their own images and push them to a local one.
The bytes are the same on every run (fixed seed, no timestamps), so the digests are too; it prints each layer's digest and the chain ID that names its snapshot.
"""
import gzip
import hashlib
import io
import json
import os
import random
import sys
import tarfile

COMMANDS = {
    "hello": ["/bin/busybox", "echo", "hello from a SOCI-served snapshot"],
    "pause": ["/bin/busybox", "sleep", "2147483647"],
    "large": ["/bin/busybox", "sh", "-c", "/bin/busybox head -c 16 /data/random >/dev/null"
              " && /bin/busybox echo hello from a lazily loaded layer"],
}


def blob(data):
    return "sha256:" + hashlib.sha256(data).hexdigest(), data


def layer(files):
    """files: (path, bytes or None for a folder, mode); returns (diff_id, digest, gzipped bytes)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for path, data, mode in files:
            info = tarfile.TarInfo(path)
            info.mode = mode
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    digest, gz = blob(gzip.compress(raw.getvalue(), mtime=0))
    return "sha256:" + hashlib.sha256(raw.getvalue()).hexdigest(), digest, gz


def main(out, name, kind):
    with open("/bin/busybox", "rb") as handle:
        layers = [layer([("bin", None, 0o755), ("bin/busybox", handle.read(), 0o755)])]
    if kind == "large":
        layers.append(layer([("data", None, 0o755), ("data/random", random.Random(5123).randbytes(32 << 20), 0o644)]))
    config_digest, config = blob(json.dumps({
        "architecture": {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine, "amd64"),
        "os": "linux",
        "config": {"Cmd": COMMANDS[kind]},
        "rootfs": {"type": "layers", "diff_ids": [entry[0] for entry in layers]},
    }).encode())
    manifest_digest, manifest = blob(json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest, "size": len(gz)}
                   for _diff_id, digest, gz in layers],
    }).encode())
    chain = None
    for diff_id, digest, _gz in layers:  # each layer's digest and the chain ID of its snapshot
        chain = diff_id if chain is None else "sha256:" + hashlib.sha256((chain + " " + diff_id).encode()).hexdigest()
        print(digest, chain)
    index = json.dumps({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest, "size": len(manifest),
        "annotations": {"io.containerd.image.name": name, "org.opencontainers.image.ref.name": name.rsplit(":", 1)[1]},
    }]}).encode()
    blobs = [(digest, gz) for _diff_id, digest, gz in layers] + [(config_digest, config), (manifest_digest, manifest)]
    with tarfile.open(out, "w") as tar:
        for path, data in [("oci-layout", b'{"imageLayoutVersion": "1.0.0"}'), ("index.json", index)] + [
                ("blobs/sha256/" + d.split(":")[1], b) for d, b in blobs]:
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


if __name__ == "__main__":
    main(*sys.argv[1:4])

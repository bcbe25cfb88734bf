# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""TEST STAND-IN for soci-snapshotter-grpc. It is not SOCI.

The real SOCI release cannot be downloaded where the tests run, so the release-shaped tarball the tests serve
holds this program under SOCI's name. It behaves like SOCI towards systemd, containerd and the role:
  * `--version`, `config dump` (parses the config file and fails on errors, as SOCI >= 0.12 does, including
    its rule that parallel pull needs the containerd content store or discard_unpacked_layers);
  * serving: `--address fd://` takes the socket systemd passes (LISTEN_FDS), a path binds one itself;
    READY=1 goes to NOTIFY_SOCKET from this, the main process, once the backend answers (Type=notify);
  * snapshots are really served: by Debian's containerd-nydus-grpc (a real containerd remote snapshotter,
    `--daemon-mode none` for plain OCI images) on a private socket, which every connection is relayed to.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time

VERSION = "@VERSION@"
PRIVATE = "/run/lazypull-standin"
NYDUSD_CONFIG = '{"device": {"backend": {"type": "registry", "config": {}}}, "mode": "direct"}\n'


def arg(name, default):
    argv = sys.argv[1:]
    for i, item in enumerate(argv):
        if item == name and i + 1 < len(argv):
            return argv[i + 1]
        if item.startswith(name + "="):
            return item.split("=", 1)[1]
    return os.environ.get("SOCI_SNAPSHOTTER_" + name.lstrip("-").upper(), default)


def load_config(path, explicit):
    if not os.path.exists(path):
        if explicit:
            sys.exit("soci-snapshotter-grpc (stand-in): config file %s does not exist" % path)
        return {}
    try:
        import tomllib
    except ImportError:  # Python < 3.11 on the node: accept the file unparsed
        return {}
    try:
        with open(path, "rb") as handle:
            config = tomllib.load(handle)
    except (OSError, ValueError) as exc:
        sys.exit("soci-snapshotter-grpc (stand-in): failed to load config %s: %s" % (path, exc))
    parallel = config.get("pull_modes", {}).get("parallel_pull_unpack", {})
    if (parallel.get("enable") or parallel.get("experimental_parallel_pull_as_fallback")) and not (
            config.get("content_store", {}).get("type") == "containerd" or parallel.get("discard_unpacked_layers")):
        sys.exit("soci-snapshotter-grpc (stand-in): parallel_pull_unpack mode requires containerd content store "
                 '(type="containerd" under [content_store] or discard_unpacked_layers = true)')
    return config


def notify(message):
    target = os.environ.get("NOTIFY_SOCKET")
    if not target:
        return
    if target.startswith("@"):
        target = "\0" + target[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.connect(target)
        sock.sendall(message.encode())


def listener(address):
    if address.startswith("fd://"):
        if os.environ.get("LISTEN_PID") == str(os.getpid()) and int(os.environ.get("LISTEN_FDS", "0")) >= 1:
            return socket.socket(fileno=3)
        print("soci-snapshotter-grpc (stand-in): no socket from systemd, using the default path", flush=True)
        address = "/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock"
    address = address[len("unix://"):] if address.startswith("unix://") else address
    os.makedirs(os.path.dirname(address), exist_ok=True)
    if os.path.exists(address):
        os.unlink(address)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(address)
    sock.listen(128)
    return sock


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (src, dst):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def relay(client, backend_path):
    backend = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        backend.connect(backend_path)
    except OSError:
        client.close()
        backend.close()
        return
    threading.Thread(target=pump, args=(client, backend), daemon=True).start()
    threading.Thread(target=pump, args=(backend, client), daemon=True).start()


def serve():
    config_path = arg("--config", "/etc/soci-snapshotter-grpc/config.toml")
    load_config(config_path, "--config" in " ".join(sys.argv))
    root = arg("--root", "/var/lib/soci-snapshotter-grpc")
    sock = listener(arg("--address", "/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock"))
    os.makedirs(PRIVATE, exist_ok=True)
    nydusd_config = os.path.join(PRIVATE, "nydusd-config.json")
    with open(nydusd_config, "w") as handle:
        handle.write(NYDUSD_CONFIG)
    backend_path = os.path.join(PRIVATE, "nydus.sock")
    if os.path.exists(backend_path):
        os.unlink(backend_path)
    backend = subprocess.Popen(["containerd-nydus-grpc", "--root", root, "--address", backend_path,
                                "--nydusd-config", nydusd_config, "--daemon-mode", "none", "--log-to-stdout"])

    def stop(signum, frame):
        backend.terminate()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    deadline = time.time() + 30
    while not os.path.exists(backend_path):
        if backend.poll() is not None or time.time() > deadline:
            sys.exit("soci-snapshotter-grpc (stand-in): containerd-nydus-grpc did not start")
        time.sleep(0.1)
    print("soci-snapshotter-grpc (stand-in) %s serving snapshots from %s" % (VERSION, root), flush=True)
    notify("READY=1")
    threading.Thread(target=lambda: sys.exit(backend.wait()), daemon=True).start()
    while backend.poll() is None:
        client, dummy = sock.accept()
        relay(client, backend_path)
    sys.exit("soci-snapshotter-grpc (stand-in): backend exited with %s" % backend.returncode)


def main():
    words = [a for a in sys.argv[1:] if not a.startswith("-")]
    if "--version" in sys.argv or "-v" in sys.argv:
        print("soci-snapshotter-grpc version v%s lazypull-test-standin" % VERSION)
    elif words[-2:] == ["config", "dump"] or words[-2:] == ["config", "default"]:
        path = arg("--config", "/etc/soci-snapshotter-grpc/config.toml")
        load_config(path, "--config" in " ".join(sys.argv))
        print("# soci-snapshotter-grpc (stand-in) %s: %s parsed" % (VERSION, path))
        if os.path.exists(path):
            with open(path) as handle:
                sys.stdout.write(handle.read())
    else:
        serve()


if __name__ == "__main__":
    main()

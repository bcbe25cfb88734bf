# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A throw-away systemd + containerd node (podman) and the views of it the reliability tests compare."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WORK = os.path.join(REPO, ".cache", "reliability")
RESOURCES = os.path.join(REPO, "molecule", "resources")
# The staged collection `make` puts first in ANSIBLE_COLLECTIONS_PATH (what the tests build artifacts from).
STAGE = os.path.join(os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(":")[0], "ansible_collections", "lazypull", "soci")
STATE = os.environ.get("LAZYPULL_TEST_STATE", os.path.join(REPO, ".cache", "test-services"))
REGISTRY = "127.0.0.1:5123"
TEST_IMAGE = REGISTRY + "/lazypull/hello:1"
RELEASES = "http://127.0.0.1:5124"
# The two kinds of prepared node (conftest.py), as docs/reliability.md names them.
AL2, AL2023 = "EKS AL2", "EKS AL2023 AMI"


def _role_default_version():
    with open(os.path.join(REPO, "roles", "soci", "defaults", "main.yml")) as handle:
        return re.search(r'^soci_version: "(.+)"$', handle.read(), re.M).group(1)


# The release the role installs by default (the real SOCI the release server serves), and a later version that
# only exists as a broken release (make-fault-releases.sh).
SOCI_VERSION = _role_default_version()
ARCH = {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine, os.uname().machine)
BROKEN_UPGRADE = SOCI_VERSION.rsplit(".", 1)[0] + ".%d" % (int(SOCI_VERSION.rsplit(".", 1)[1]) + 1)
UNITS = ("soci-snapshotter.service", "soci-snapshotter.socket", "containerd.service")
# The role's task that restarts what changed and checks health (roles/soci/tasks/health.yml): failure messages name it.
STEP = "Restart what changed and wait for the snapshotter"

# Runs on the node with its own python3: every file under the folders the role can touch (mode, owner, sha256;
# symlinks by target; folders by mode), the role's backup copies apart, unit states, packages, containerd's dump.
SNAPSHOT = r"""
import hashlib, json, os, re, subprocess
backup = re.compile(r"\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$")
files, backups = {}, []
for root in ("/etc", "/usr/local", "/var/lib/kubelet", "/var/lib/lazypull-soci"):
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        files[folder] = "dir %o" % (os.lstat(folder).st_mode & 0o7777)
        for name in sorted(names):
            path = os.path.join(folder, name)
            if backup.search(name):
                backups.append(path)
            elif os.path.islink(path):
                files[path] = "-> " + os.readlink(path)
            elif os.path.isfile(path):
                st = os.lstat(path)
                with open(path, "rb") as handle:
                    files[path] = "%o %d:%d %s" % (st.st_mode & 0o7777, st.st_uid, st.st_gid,
                                                   hashlib.sha256(handle.read()).hexdigest())
def run(*argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:  # containerd removed by a test case
        return subprocess.CompletedProcess(argv, 127, "", str(exc))
units = {}
for unit in @UNITS@:
    out = run("systemctl", "show", "-p", "LoadState,ActiveState,UnitFileState,Requires,After,InvocationID", unit).stdout
    units[unit] = {key: " ".join(sorted(value.split())) for key, value in
                   (line.split("=", 1) for line in out.splitlines() if "=" in line)}
dump = run("containerd", "config", "dump")
print(json.dumps({
    "files": files, "backups": backups, "units": units,
    "system": run("systemctl", "is-system-running").stdout.strip(),
    "packages": sorted(run("dpkg-query", "-W", "-f=${Package}=${Version}\n").stdout.split()),
    "containerd_dump": dump.stdout if dump.returncode == 0 else None,
}))
"""


class PlayResult:
    """What one ansible-playbook run did to one host, read from the ansible.posix.json callback."""

    def __init__(self, host, proc, seconds, log):
        self.rc, self.seconds, self.log = proc.returncode, seconds, log
        self.failures, self.messages, self.diffs = [], [], []
        self.attempts, self.tasks = {}, {}  # tasks: each task's last result, by name
        self.output = proc.stdout
        # The JSON document starts on a line of its own; -v output (which may hold braces) comes before it.
        start = 0 if proc.stdout.startswith("{") else proc.stdout.find("\n{\n") + 1
        try:
            data = json.loads(proc.stdout[start:])
        except ValueError:
            data = {"plays": [], "stats": {}}
        self.stats = data.get("stats", {}).get(host, {})
        for play in data["plays"]:
            for task in play["tasks"]:
                res = task["hosts"].get(host)
                if not res:
                    continue
                name = task["task"]["name"].split(" : ", 1)[-1]  # without the role prefix
                self.tasks[name] = res
                for item in res.get("results") or [res]:
                    if item.get("diff"):
                        self.diffs.append((name, item["diff"]))
                    if "attempts" in item:
                        self.attempts[name] = item["attempts"]
                if res.get("failed"):
                    self.failures.append((name, str(res.get("msg", ""))))
                elif name.startswith("Say") and "msg" in res:
                    self.messages.append(str(res["msg"]))

    @property
    def changed(self):
        return self.stats.get("changed", 0)

    @property
    def final_error(self):
        return self.failures[-1][1] if self.failures else ""


class Node:
    """One podman container booted with systemd from the prepared reliability image."""

    def __init__(self, name, image, run_args=()):
        """run_args: more `podman run` arguments (a volume standing in for the instance's user data, ...)."""
        self.name, self.image, self.run_args = name, image, tuple(run_args)
        self.dir = os.path.join(WORK, name)
        os.makedirs(self.dir, exist_ok=True)
        self.inventory = os.path.join(self.dir, "inventory.yml")
        with open(self.inventory, "w") as handle:
            handle.write(
                "all:\n  hosts:\n    %s:\n      ansible_connection: containers.podman.podman\n"
                "      ansible_python_interpreter: /usr/bin/python3\n      soci_release_base_url: %s\n"
                # The local release server speaks plain HTTP, on this machine only.
                "      soci_allow_insecure_download: true\n"
                "      lazypull_registry: %s\n" % (name, RELEASES, REGISTRY))
        self.plays = 0

    def boot(self):
        podman("rm", "--force", "--volumes", "--time", "0", self.name, check=False)
        podman("run", "--detach", "--name", self.name, "--hostname", self.name, "--systemd=always", "--privileged",
               "--network", "host", "--volume", "/var/lib/containerd", "--volume", "/var/lib/soci-snapshotter-grpc",
               *self.run_args, self.image)
        return self._booted()

    def reboot(self):
        """Boot the node again as the same instance (its volumes kept), as the Molecule side effect does."""
        podman("restart", "--time", "20", self.name)
        return self._booted()

    def _booted(self):
        for _attempt in range(60):  # exec works once systemd has set up the container's session
            proc = self.sh("systemctl is-system-running --wait", check=False)
            state = proc.stdout.strip()
            if state in ("running", "degraded"):
                return self
            time.sleep(0.5)
        raise RuntimeError("%s did not boot: %s %s" % (self.name, state, proc.stderr.strip()))

    def remove(self):
        podman("rm", "--force", "--volumes", "--time", "0", self.name, check=False)

    def sh(self, script, check=True, stdin=None):
        proc = subprocess.run(["podman", "exec", "--interactive", self.name, "/bin/sh", "-c", script],
                              capture_output=True, text=True, input=stdin or "", check=False)
        if check and proc.returncode != 0:
            raise RuntimeError("%s: %s failed (%d): %s" % (self.name, script, proc.returncode, proc.stderr.strip()))
        return proc

    def snapshot(self):
        return json.loads(self.sh("python3 -", stdin=SNAPSHOT.replace("@UNITS@", repr(UNITS))).stdout)

    def cri_snapshotter(self):
        """The snapshotter containerd's CRI plugin (so every pod) uses, from the config files containerd reads."""
        return self.sh(
            "python3 -c 'import tomllib; c = tomllib.load(open(\"/etc/containerd/config.toml\", \"rb\"));"
            " p = c.get(\"plugins\", {}); cri = p.get(\"io.containerd.grpc.v1.cri\", p.get(\"cri\", {}));"
            " images = p.get(\"io.containerd.cri.v1.images\", cri.get(\"containerd\", {}));"
            " print(images.get(\"snapshotter\", \"overlayfs\"))'").stdout.strip()

    def runs_a_container(self, snapshotter=None):
        """Pull the test image with the snapshotter pods use and run it; returns what the container printed."""
        snapshotter = snapshotter or self.cri_snapshotter()
        tag = "lazypull-check-%d" % int(time.time() * 1000)
        # --local where ctr has it (containerd 2): its transfer service would need an unpack config per snapshotter.
        script = ("local=$(ctr images pull --help 2>&1 | grep -o -- '--local' | head -n 1); "
                  "ctr -n k8s.io images pull --plain-http --snapshotter %s $local %s >/dev/null && "
                  "ctr -n k8s.io run --rm --snapshotter %s %s %s /bin/busybox echo containerd-serves-%s"
                  % (snapshotter, TEST_IMAGE, snapshotter, TEST_IMAGE, tag, snapshotter))
        proc = self.sh(script, check=False)
        # runc in these nested containers now and then loses its init process while starting one (seen once in
        # CI: "read init-p: connection reset by peer"); that start is tried once more, nothing else is.
        if proc.returncode != 0 and "read init-p: connection reset by peer" in proc.stderr:
            proc = self.sh(script.replace(tag, tag + "-again"), check=False)
        if proc.returncode != 0:
            raise RuntimeError("%s: %s failed (%d): %s" % (self.name, script, proc.returncode, proc.stderr.strip()))
        out = proc.stdout
        assert "containerd-serves-%s" % snapshotter in out, out
        return snapshotter

    def play(self, playbook, extra=None, check=False, diff=False, kill_at=None, verbosity=0):
        """ansible-playbook against this node; kill_at: SIGKILL the run when a task of that name starts."""
        self.plays += 1
        log = os.path.join(self.dir, "play-%d-%s.log" % (self.plays, playbook.split(".")[-1]))
        argv = ["ansible-playbook", "-i", self.inventory, playbook]
        if extra:
            argv += ["-e", json.dumps(extra)]
        argv += ["--check"] if check else []
        argv += ["--diff"] if diff else []
        argv += ["-" + "v" * verbosity] if verbosity else []
        env = dict(os.environ, ANSIBLE_PIPELINING="true", ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
                   ANSIBLE_STDOUT_CALLBACK="default" if kill_at else "ansible.posix.json")
        start = time.monotonic()
        with open(log, "w") as out:
            proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                                    start_new_session=True)
            lines = []
            for line in proc.stdout:
                lines.append(line)
                out.write(line)
                if kill_at and line.startswith("TASK [") and kill_at in line:
                    os.killpg(proc.pid, signal.SIGKILL)
                    break
            proc.wait()
        done = subprocess.CompletedProcess(argv, proc.returncode, "".join(lines), "")
        return PlayResult(self.name, done, time.monotonic() - start, log)


def podman(*argv, check=True):
    proc = subprocess.run(("podman",) + argv, capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        raise RuntimeError("podman %s: %s" % (" ".join(argv), proc.stderr.strip()))
    return proc


def run(*argv):
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError("%s failed: %s%s" % (" ".join(argv), proc.stdout[-2000:], proc.stderr[-2000:]))
    return proc.stdout


def prepared_image(suite, layout_vars, tag):
    """A node booted from the Debian image of suite, laid out by prepare.yml, committed as tag (replacing the last)."""
    image = run(os.path.join(RESOURCES, "build-node-image.sh"), suite).splitlines()[-1]
    base = Node("lazypull-rel-base-" + suite, image).boot()
    try:
        prepared = base.play(os.path.join(RESOURCES, "playbooks", "prepare.yml"), layout_vars)
        if prepared.rc != 0:
            raise RuntimeError("prepare.yml failed, see %s" % prepared.log)
        podman("rmi", "--force", tag, check=False)  # the previous run's, so they do not pile up
        podman("commit", "--quiet", base.name, tag)
    finally:
        base.remove()
    return tag


def differences(before, after, restarts_allowed=False):
    """Human-readable differences between two snapshots (backups and, if allowed, restarts left out)."""
    found = []
    for path in sorted(set(before["files"]) | set(after["files"])):
        old, new = before["files"].get(path), after["files"].get(path)
        if old != new:
            found.append("%s: %s -> %s" % (path, old or "absent", new or "absent"))
    for unit in UNITS:
        for key in set(before["units"][unit]) | set(after["units"][unit]):
            if key == "InvocationID" and restarts_allowed:
                continue
            old, new = before["units"][unit].get(key), after["units"][unit].get(key)
            if old != new:
                found.append("%s %s: %s -> %s" % (unit, key, old, new))
    for key in ("system", "packages"):
        if before[key] != after[key]:
            found.append("%s: %s -> %s" % (key, before[key], after[key]))
    return found


def one_line(text):
    """The message as the report shows it: machine-specific parts (node names, hashes, times) replaced."""
    text = text.replace(REPO, "<repo>")
    text = re.sub(r"lazypull-rel-[\w-]+", "<node>", text)
    text = re.sub(r"\b[0-9a-f]{64}\b", "<sha256>", text)
    text = re.sub(r"/tmp/ansible\.[\w.]+", "<tmp>", text)
    text = re.sub(r"/lib/modules/[^ ]*[^ .]", "/lib/modules/<kernel>", text)
    text = re.sub(r"\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~", ".<backup>~", text)
    return text

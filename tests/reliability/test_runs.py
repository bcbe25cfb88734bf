# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Whole runs against a fresh EKS AL2-style node (and the AL2023 AMI round trip): check mode, an interrupted run,
install -> uninstall -> install, an upgrade to a broken release, a reboot with the registry gone. SOCI is the real
release built from its Go module (tests/soci); only the broken release's daemon is a TEST FAULT script
(make-fault-releases.sh)."""

from __future__ import annotations

import glob
import json
import os
import re
import subprocess
import sys

from forwarder import Forwarder
from node import (ARCH, BROKEN_UPGRADE, REGISTRY, RELEASES, REPO, SOCI_VERSION, STAGE, STEP, TEST_IMAGE, differences,
                  one_line, run)

INSTALL, UNINSTALL = "lazypull.soci.install", "lazypull.soci.uninstall"
CONTAINERD_CONFIGS = ("/etc/eks/containerd/containerd-config.toml", "/etc/containerd/config.toml")
KUBELET = "/etc/kubernetes/kubelet/kubelet-config.json"
SOCKET = "/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock"
CUSTOM_SOCKET = "/run/lazypull-test/soci.sock"
REGISTRY_GOING_AWAY = 5127  # tests/reliability/forwarder.py, in front of the local registry


def test_check_mode(fresh_node, record):
    record.update(group="Runs", what="`ansible-playbook --check --diff lazypull.soci.install` on a fresh node",
                  expected="reports what it would change, with diffs of containerd's and kubelet's files; "
                           "nothing on the node changes, nothing restarts")
    node = fresh_node("check-mode")
    before = node.snapshot()
    result = node.play(INSTALL, check=True, diff=True)
    after = node.snapshot()
    assert result.rc == 0, result.log
    diffs = json.dumps(result.diffs)
    shown = [path for path in CONTAINERD_CONFIGS + (KUBELET,) if path in diffs]
    record["observed"] = "%d changes reported, diffs for %s; %d differences on the node" % (
        result.changed, ", ".join(shown), len(differences(before, after)))
    assert result.changed >= 5, result.log
    assert len(shown) == 3, "diffs shown for %s only (%s)" % (shown, result.log)
    assert differences(before, after) == [] and after["backups"] == before["backups"]


SECRETS = ("planted-secret-password", "cGxhbnRlZC1zZWNyZXQtYXV0aA==")
REGISTRY_AUTH = ('\n[plugins."io.containerd.grpc.v1.cri".registry.configs."registry.lazypull.test".auth]\n'
                 '  username = "lazypull"\n  password = "%s"\n  auth = "%s"\n' % SECRETS)


def test_no_secret_in_verbose_diff_output(fresh_node, record):
    record.update(group="Secrets", what="containerd's configs carry registry credentials; install with `-vvv --diff` "
                                        "(JSON callback, as AWX and ARA keep it)",
                  expected="the planted password and auth token appear nowhere in the output; the diffs mask them; "
                           "the files keep them")
    node = fresh_node("no-secret-in-output")
    for path in CONTAINERD_CONFIGS:
        node.sh("printf '%%s' '%s' >> %s" % (REGISTRY_AUTH, path))
    result = node.play(INSTALL, diff=True, verbosity=3)
    leaked = [secret for secret in SECRETS if secret in result.output]
    kept = int(node.sh("grep -c planted-secret-password %s" % " ".join(CONTAINERD_CONFIGS)).stdout.count(":1"))
    masked = json.dumps(result.diffs).count("********")
    record["observed"] = ("rc=%d; %d of %d planted secrets in the output; %d masked values in the diffs; files keep "
                          "them: %d of %d" % (result.rc, len(leaked), len(SECRETS), masked, kept, len(CONTAINERD_CONFIGS)))
    assert result.rc == 0, result.log
    assert leaked == [], result.log
    assert masked >= 4
    assert kept == len(CONTAINERD_CONFIGS)


def test_interrupted_run(fresh_node, record):
    record.update(group="Runs", what="install killed (SIGKILL) as it starts patching containerd's configuration, then "
                                     "run again",
                  expected="the second run converges, a third changes nothing and leaves out the install, configure "
                           "and node steps (the probe finds every file as wanted, containerd's and kubelet's as "
                           "recorded), every file carries SOCI once, a container runs through `soci`")
    node = fresh_node("interrupted-run")
    first = node.play(INSTALL, kill_at="Patch containerd's configuration")
    assert first.rc != 0
    left = node.snapshot()["files"]
    assert "/etc/systemd/system/containerd.service.d/50-lazypull-soci.conf" in left, "killed too early: no drop-in yet"
    assert all(node.sh("grep -c '%s' %s || true" % (SOCKET, path)).stdout.strip() == "0"
               for path in CONTAINERD_CONFIGS), "killed too late: containerd's configuration already patched"
    second = node.play(INSTALL)
    third = node.play(INSTALL)
    counts = {path: int(node.sh("grep -c '%s' %s || true" % (SOCKET, path)).stdout) for path in CONTAINERD_CONFIGS}
    counts[KUBELET] = int(node.sh("grep -c 'unix://%s' %s || true" % (SOCKET, KUBELET)).stdout)
    # Tasks of an include that was skipped are not in the report at all.
    names = ("Install the SOCI release", "Write SOCI's config.toml", "Patch containerd's configuration",
             "Point kubelet's image service at SOCI")
    steps = [name for name in third.tasks if name.startswith(names)]
    # How much the rerun changes depends on how far the killed task got: not in the report.
    record["observed"] = ("rerun rc=%d, third run %d changed, %d tasks, of the install, configure and node steps %s; "
                          "SOCI socket named %s; container ran with %s"
                          % (second.rc, third.changed, len(third.tasks), "ran: " + ", ".join(steps) if steps
                             else "none ran", "/".join(str(n) for n in counts.values()) + " times",
                             node.runs_a_container()))
    assert second.rc == 0 and second.changed > 0, second.log
    assert third.rc == 0 and third.changed == 0, third.log
    assert steps == [], third.log
    assert [name for name in second.tasks if name.startswith(names)], \
        "the report names none of these tasks in a run that takes them: the check above proves nothing"
    assert set(counts.values()) == {1}, counts
    assert node.cri_snapshotter() == "soci"


def test_uninstall_round_trip(fresh_node, record):
    record.update(group="Runs", what="install, uninstall, install again",
                  expected="after uninstall: containerd's `config dump` and kubelet's file as before, units and "
                           "binaries gone, data kept, containers run with overlayfs; the second install works")
    node = fresh_node("uninstall-round-trip")
    before = node.snapshot()
    kubelet = node.sh("cat %s" % KUBELET).stdout
    assert node.play(INSTALL).rc == 0
    assert node.runs_a_container() == "soci"
    removed = node.play(UNINSTALL)
    after = node.snapshot()
    assert removed.rc == 0, removed.log
    changed = differences(before, after, restarts_allowed=True)
    data = node.sh("ls -A /var/lib/soci-snapshotter-grpc | wc -l").stdout.strip()
    ran = node.runs_a_container()
    again = node.play(INSTALL)
    record["observed"] = ("uninstall changed %d; dump %s; kubelet file %s; %d other differences; %d backup copies "
                          "kept; %s entries kept in the data folder; containers ran with %s; reinstall rc=%d" % (
                              removed.changed, "equal" if after["containerd_dump"] == before["containerd_dump"]
                              else "DIFFERENT", "equal" if node_file_was(after, before, KUBELET) else "DIFFERENT",
                              len(changed), len(after["backups"]), data, ran, again.rc))
    assert after["containerd_dump"] == before["containerd_dump"]
    assert not changed, changed[:10]
    assert after["units"]["soci-snapshotter.service"]["LoadState"] == "not-found"
    assert int(data) > 0 and ran == "overlayfs"
    assert again.rc == 0, again.log
    assert node.runs_a_container() == "soci"
    assert node.sh("cat %s" % KUBELET).stdout != kubelet  # patched again


def node_file_was(after, before, path):
    return after["files"].get(path) == before["files"].get(path)


def test_upgrade_to_broken_release(fresh_node, record):
    record.update(group="Runs", what="SOCI %s installed and healthy, then an upgrade to a %s whose daemon exits 1"
                                     % (SOCI_VERSION, BROKEN_UPGRADE),
                  expected="rolls back to %s: binaries restored, SOCI restarted on them, containerd (which requires "
                           "SOCI and stopped with it) started again, containers "
                           "still run through `soci`" % SOCI_VERSION)
    node = fresh_node("upgrade-to-broken-release")
    assert node.play(INSTALL).rc == 0
    before = node.snapshot()
    result = node.play(INSTALL, {"soci_version": BROKEN_UPGRADE,
                                 "soci_release_base_url": "%s/faults-%s/daemon-exits" % (RELEASES, BROKEN_UPGRADE)})
    after = node.snapshot()
    # What systemctl says (which unit it names, its warnings) depends on timing between SOCI and containerd.
    record["observed"] = re.sub(r"(?<=%s: ).*? (?=Rolled back)" % STEP,
                                "<systemd: the SOCI service failed to start>. ", one_line(result.final_error))
    assert result.rc == 2 and "\n" not in result.final_error.strip()
    assert "Rolled back: restored /usr/local/bin/soci, restored /usr/local/bin/soci-snapshotter-grpc" in result.final_error
    assert differences(before, after, restarts_allowed=True) == []
    assert after["backups"] == before["backups"]
    assert "v%s " % SOCI_VERSION in node.sh("/usr/local/bin/soci-snapshotter-grpc --version").stdout
    assert node.runs_a_container() == "soci"


def test_custom_socket_when_soci_starts_without_its_socket(fresh_node, record):
    record.update(group="Runs", what="`soci_socket: %s`; then SOCI's socket, SOCI and containerd are stopped and "
                                     "only SOCI's service and containerd started again" % CUSTOM_SOCKET,
                  expected="SOCI's service brings its socket up (a daemon started without it would listen on SOCI's "
                           "default path): containerd reaches SOCI on the custom path, containers run through `soci`")
    node = fresh_node("custom-socket")
    result = node.play(INSTALL, {"soci_socket": CUSTOM_SOCKET})
    assert result.rc == 0, result.log
    node.sh("systemctl stop containerd soci-snapshotter.service soci-snapshotter.socket && "
            "systemctl start soci-snapshotter.service containerd")
    socket = node.sh("systemctl is-active soci-snapshotter.socket; true").stdout.strip()
    default = node.sh("journalctl -u soci-snapshotter.service -b | grep -c 'Listening on the default socket address'"
                      "; true").stdout.strip()
    ran = node.runs_a_container()
    record["observed"] = "socket unit %s; SOCI fell back to its default path %s times; containers run with %s" % (
        socket, default, ran)
    assert socket == "active" and default == "0" and ran == "soci"


AMI_UNITS = ("soci-snapshotter.service", "soci-snapshotter.socket")


def ami_soci(node):
    """What the EKS AL2023 AMI's own SOCI looks like on the node: package, units as shipped, unit states, config."""
    return node.sh(
        "dpkg-query -W -f '${Package} ${db:Status-Status}\\n' soci-snapshotter; "
        "for u in %s; do cmp -s /etc/systemd/system/$u /etc/eks/lazypull-standin/ami-$u && echo \"$u as shipped\"; "
        "echo \"$u $(systemctl is-enabled $u)\"; done; "
        "grep -c '^max_concurrent_downloads_per_image = 20$' /etc/soci-snapshotter-grpc/config.toml || true"
        % " ".join(AMI_UNITS)).stdout.split("\n")[:-1]


def test_al2023_ami_install_uninstall_reboot(fresh_al2023_node, record):
    record.update(group="EKS AL2023 AMI",
                  what="node laid out like the EKS AL2023 AMI (its SOCI package and units, nodeadm with FastImagePull "
                       "on): install in lazy mode, uninstall, reboot (nodeadm runs again)",
                  expected="install keeps the AMI's package and units and switches to lazy loading; uninstall removes "
                           "only the role's files; after the reboot nodeadm runs the AMI's SOCI for parallel pulls again")
    node = fresh_al2023_node("al2023-ami-round-trip")
    shipped = ami_soci(node)
    assert shipped == ["soci-snapshotter installed", "soci-snapshotter.service as shipped",
                       "soci-snapshotter.service disabled", "soci-snapshotter.socket as shipped",
                       "soci-snapshotter.socket enabled", "1"], shipped  # nodeadm wrote its parallel config
    assert node.cri_snapshotter() == "soci"
    # The AMI's socket unit listens on SOCI's default path and stays as shipped: another soci_socket cannot work.
    other_socket = node.play(INSTALL, {"soci_socket": CUSTOM_SOCKET})
    assert other_socket.rc == 2 and ami_soci(node) == shipped, other_socket.log
    assert "this node's own soci-snapshotter.socket listens on %s" % SOCKET in other_socket.final_error
    installed = node.play(INSTALL)
    assert installed.rc == 0, installed.log
    during = ami_soci(node)
    lazy = node.sh("grep -c '^\\[pull_modes.soci_v2\\]$' /etc/soci-snapshotter-grpc/config.toml").stdout.strip()
    removed = node.play(UNINSTALL)
    assert removed.rc == 0, removed.log
    after = ami_soci(node)
    left = node.sh("ls -d /etc/eks/nodeadm.d/* /etc/systemd/system/soci-snapshotter.service.d "
                   "/etc/systemd/system/lazypull-soci-sandbox-import.service 2>/dev/null; true").stdout.split()
    node.reboot()
    rebooted = ami_soci(node)
    ran = node.runs_a_container()
    record["observed"] = ("another soci_socket refused, node unchanged; install rc=%d, config lazy=%s, AMI package "
                          "and units %s; uninstall rc=%d, role files left: %s, AMI units %s; after reboot nodeadm's "
                          "parallel config=%s, containers run with %s" % (
                              installed.rc, lazy, "kept" if during[:5] == shipped[:5] else "CHANGED", removed.rc,
                              left or "none", "kept" if after[:5] == shipped[:5] else "CHANGED", rebooted[5], ran))
    assert lazy == "1" and during[:5] == shipped[:5]
    assert after[:5] == shipped[:5] and left == []
    assert rebooted == shipped and ran == "soci"


def test_download_once_on_the_controller(fresh_node, record, tmp_path):
    record.update(group="Runs", what="`soci_download_on_controller: true` with a controller cache folder that does not "
                                     "exist yet",
                  expected="the folder is made, the release downloaded there once and checked against its "
                           ".sha256sum, copied to the node; SOCI runs")
    node = fresh_node("download-on-controller")
    cache = tmp_path / "soci-cache"
    result = node.play(INSTALL, {"soci_download_on_controller": True, "soci_controller_cache_dir": str(cache)})
    archives = sorted(path.name for path in cache.glob("*.tar.gz"))
    record["observed"] = "rc=%d, controller cache holds %s, containers run with %s" % (
        result.rc, ", ".join(archives) or "nothing", node.runs_a_container() if result.rc == 0 else "-")
    assert result.rc == 0, result.log
    assert archives == ["soci-snapshotter-%s-linux-%s.tar.gz" % (SOCI_VERSION, ARCH)]
    assert node.cri_snapshotter() == "soci"


def test_checksum_list_elsewhere_then_uninstall_removing_data(fresh_node, record):
    record.update(group="Runs", what="install with `soci_checksum_url` (a sha256sum list at another origin, several "
                                     "archives in it), start a container through SOCI, uninstall with "
                                     "`soci_remove_data: true`, stop the container, uninstall again",
                  expected="the run says the list vouched for the archive; uninstall is refused while the container "
                           "runs; then the mount left below SOCI's data folder (a stand-in for a FUSE layer) is "
                           "unmounted and the folder emptied (it is a volume of its own here)")
    node = fresh_node("checksum-list-remove-data")
    sums = "%s/faults/sums/SHA256SUMS" % RELEASES
    installed = node.play(INSTALL, {"soci_checksum_url": sums})
    assert installed.rc == 0, installed.log
    vouched = re.search(r"soci-snapshotter-[^ ]+\.tar\.gz \(sha256 [0-9a-f]{64}, soci-snapshotter-grpc version [^)]+\) "
                        r"was checked against the checksum file %s \(soci_checksum_url\)" % re.escape(sums),
                        installed.output)
    node.runs_a_container()
    node.sh("ctr -n k8s.io run -d --snapshotter soci %s lazypull-sleeper /bin/busybox sleep 600" % TEST_IMAGE)
    root = "/var/lib/soci-snapshotter-grpc"
    mounts = "awk -v r=%s/ 'index($5, r) == 1' /proc/self/mountinfo | wc -l" % root
    refused = node.play(UNINSTALL, {"soci_remove_data": True})
    node.sh("ctr -n k8s.io task kill -s KILL lazypull-sleeper; sleep 1; ctr -n k8s.io task delete lazypull-sleeper; "
            "ctr -n k8s.io containers delete lazypull-sleeper")
    # TEST STAND-IN for a FUSE mount of a lazily loaded layer that outlives the daemon (this test image has no SOCI
    # index, so SOCI mounts nothing itself): a tmpfs where SOCI mounts layers. A plain delete fails on it (busy).
    node.sh("mkdir -p {0}/snapshotter/snapshots/9/fs && mount -t tmpfs lazypull-stand-in-fuse-layer "
            "{0}/snapshotter/snapshots/9/fs && touch {0}/snapshotter/snapshots/9/fs/layer-file".format(root))
    mounted = int(node.sh(mounts).stdout)
    removed = node.play(UNINSTALL, {"soci_remove_data": True})
    left = node.sh("ls -A %s | wc -l" % root).stdout.strip()
    record["observed"] = ("install rc=%d, %s; uninstall while a container ran: rc=%d (%s); then %d mount below %s; "
                          "uninstall: rc=%d, %s entries left, %s mounts below it" % (
                              installed.rc, "vouched for by the list" if vouched else "NO SOURCE NAMED", refused.rc,
                              one_line(refused.final_error)[:90], mounted, root, removed.rc, left,
                              node.sh(mounts).stdout.strip()))
    assert vouched, installed.output[-3000:]
    assert refused.rc == 2 and re.search(r"^1 containers run with the soci snapshotter: their filesystems are mounted "
                                         r"from %s\. Drain the node" % root, refused.final_error), refused.log
    assert removed.rc == 0, removed.log
    assert mounted == 1 and left == "0" and node.sh(mounts).stdout.strip() == "0"


def test_reboot_while_the_registry_is_unreachable(fresh_node, record):
    record.update(group="Runs", what="install (lazy), start a container whose big layer SOCI serves lazily from a "
                                     "registry, take that registry away (a port forwarder, closed), reboot the node",
                  expected="SOCI cannot restore that container's remote snapshots at boot, skips them "
                           "(`allow_invalid_mounts_on_restart`) and starts; containerd starts and serves the soci "
                           "snapshotter")
    node = fresh_node("reboot-registry-gone")
    assert node.play(INSTALL).rc == 0
    registry = Forwarder(REGISTRY_GOING_AWAY, ("127.0.0.1", int(REGISTRY.rsplit(":", 1)[1])))
    try:
        image = "127.0.0.1:%d/lazypull/large:soci" % REGISTRY_GOING_AWAY
        node.sh("crictl --image-endpoint unix://%s --timeout 120s pull %s >/dev/null && ctr -n k8s.io run -d "
                "--snapshotter soci %s lazypull-survivor /bin/busybox sh -c '/bin/busybox head -c 16 /data/random "
                ">/dev/null && exec /bin/busybox sleep 2147483647'" % (SOCKET, image, image))
        lazily = node.sh("grep -c ' fuse.rawBridge ' /proc/self/mounts; ctr -n k8s.io snapshots --snapshotter soci ls "
                         "| awk 'NR > 1 {print $1}' | xargs -r -n 1 ctr -n k8s.io snapshots --snapshotter soci info "
                         "| grep -c containerd.io/snapshot/remote; true").stdout.split()
    finally:
        registry.close()
    node.reboot()
    units = node.sh("systemctl is-active soci-snapshotter.service containerd.service; true").stdout.split()
    skipped = node.sh("journalctl -b -u soci-snapshotter.service | grep -c 'failed to restore remote snapshot'; "
                      "true").stdout.strip()
    # Images that share a layer with a skipped snapshot fail ("layer unavailable") until that snapshot is removed
    # (SOCI's own note on allow_invalid_mounts_on_restart), so the check is that containerd serves the snapshotter.
    serves = node.sh("ctr -n k8s.io snapshots --snapshotter soci ls >/dev/null", check=False).returncode == 0
    record["observed"] = ("before the reboot %s FUSE mount(s), %s remote snapshot(s); after it SOCI %s, containerd "
                          "%s, SOCI skipped %s snapshot(s) it could not restore, containerd %s the soci snapshotter"
                          % (lazily[0], lazily[1], units[0], units[-1], skipped, "serves" if serves else "does NOT serve"))
    assert int(lazily[1]) >= 1, lazily
    assert units == ["active", "active"], units
    assert int(skipped) >= 1 and serves


def test_verify_names_a_frozen_snapshotter(fresh_node, record, tmp_path):
    record.update(group="Runs", what="install, then `lazypull.soci.verify`; then SOCI's daemon frozen (SIGSTOP: "
                                     "its socket takes connections, containerd's plugin still says ok) and verify again",
                  expected="first report healthy (SOCI answers, pods use soci); then verify fails naming the node and "
                           "the cause, and its JSON report says the same")
    node = fresh_node("verify-frozen-snapshotter")
    assert node.play(INSTALL).rc == 0
    report_file = tmp_path / "report.json"
    healthy = node.play("lazypull.soci.verify", {"soci_report_file": str(report_file)})
    first = json.loads(report_file.read_text())[node.name]
    node.sh("systemctl kill --signal=SIGSTOP soci-snapshotter.service")
    try:
        frozen = node.play("lazypull.soci.verify", {"soci_report_file": str(report_file)})
        plugin = node.sh("ctr plugins ls id==soci | awk 'NR > 1 {print $NF}'").stdout.strip()
    finally:
        node.sh("systemctl kill --signal=SIGCONT soci-snapshotter.service")
    second = json.loads(report_file.read_text())[node.name]
    message = re.search(r"Not healthy: [^\"\n]*", frozen.output)
    record["observed"] = "first: rc=%d, healthy=%s; frozen: rc=%d, plugin %s, %s" % (
        healthy.rc, first["healthy"], frozen.rc, plugin, message.group(0) if message else "no failure message")
    assert healthy.rc == 0, healthy.log
    assert first["healthy"] and first["problems"] == []
    assert (first["soci_answers"], first["cri_snapshotter"], first["units_from"]) == ("yes", "soci", "lazypull.soci")
    assert plugin == "ok"  # what the check before this one looked at: it would have called the node healthy
    assert frozen.rc != 0
    cause = "SOCI does not answer on %s (no answer within 10 s)" % SOCKET
    assert message and message.group(0) == "Not healthy: %s: %s" % (node.name, cause), frozen.log
    assert not second["healthy"] and second["problems"] == [cause]


# What ansible-pull and SSM State Manager's AWS-ApplyAnsiblePlaybooks do: ansible-playbook on the node itself. The
# node gets the tested ansible-core, tomlkit and packaging pins (requirements/test.txt) as wheels for its own Python,
# installed with pip into a folder of their own, and the collection from its built artifact.
ON_NODE = "/opt/lazypull-test-ansible"
LOCAL_RUN = ("cd / && PYTHONPATH={on}/lib ANSIBLE_COLLECTIONS_PATH={on}/collections ANSIBLE_NOCOLOR=1 "
             "{on}/lib/bin/ansible-playbook -c local -i localhost, lazypull.soci.install "
             "-e soci_release_base_url={releases} -e soci_allow_insecure_download=true").format(on=ON_NODE, releases=RELEASES)


def controller_pins():
    with open(os.path.join(REPO, "requirements", "test.txt")) as handle:
        lines = [line.split(";")[0].strip() for line in handle if not line.startswith("#")]
    wanted = [line for line in lines if line.split("==")[0] in ("tomlkit", "packaging")]
    # the pin for Python >= 3.12, which every node Python able to run ansible-core's controller has
    wanted.append([line for line in lines if line.startswith("ansible-core==")][0])
    return wanted


def test_install_run_on_the_node_itself(fresh_node, record, tmp_path):
    record.update(group="Runs", what="the install playbook run on the node itself (`-c local -i localhost,`, as "
                                     "ansible-pull and SSM State Manager run it), then again",
                  expected="SOCI set up as from a controller; the second run changes nothing")
    node = fresh_node("local-connection")
    python = node.sh("python3 -c 'import sys; print(\"%d.%d\" % sys.version_info[:2])'").stdout.strip()
    wheels = os.path.join(REPO, ".cache", "node-wheels", python)
    platforms = [arg for tag in ("manylinux2014", "manylinux_2_17", "manylinux_2_28", "manylinux_2_34")
                 for arg in ("--platform", "%s_%s" % (tag, os.uname().machine))]
    run(sys.executable, "-m", "pip", "download", "--quiet", "--dest", wheels, "--only-binary=:all:", "--python-version",
        python, "--implementation", "cp", *platforms, "--platform", "any", "pip", *controller_pins())
    run("ansible-galaxy", "collection", "build", "--output-path", str(tmp_path), STAGE)
    node.sh("mkdir -p %s/wheels" % ON_NODE)
    for path in glob.glob(os.path.join(wheels, "*.whl")) + glob.glob(str(tmp_path / "lazypull-soci-*.tar.gz")):
        run("podman", "cp", path, "%s:%s/wheels/" % (node.name, ON_NODE))
    node.sh("cd {on} && set -- wheels/pip-*.whl && python3 \"$1/pip\" install --quiet --no-index --find-links wheels --target lib {pins} && "
            "PYTHONPATH=lib lib/bin/ansible-galaxy collection install -p collections wheels/lazypull-soci-*.tar.gz >/dev/null"
            .format(on=ON_NODE, pins=" ".join(controller_pins())))
    first = node.sh(LOCAL_RUN, check=False)
    again = node.sh(LOCAL_RUN, check=False)
    recap = [re.search(r"localhost +: (ok=\d+ +changed=\d+ .*failed=\d+)", p.stdout) for p in (first, again)]
    ran = node.runs_a_container() if first.returncode == 0 else "-"
    record["observed"] = "first: rc=%d, %s; containers ran with %s; again: rc=%d, %s" % (
        first.returncode, recap[0].group(1) if recap[0] else "no recap", ran, again.returncode,
        recap[1].group(1) if recap[1] else "no recap")
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-2000:]
    assert ran == "soci"
    assert again.returncode == 0 and recap[1] and " changed=0 " in recap[1].group(1), again.stdout[-3000:]


def test_al2023_ami_daemon_settings_then_back(fresh_al2023_node, record):
    record.update(group="EKS AL2023 AMI",
                  what="install with `soci_log_level: debug`, `soci_v1_index: true`, `soci_content_store: soci` on the "
                       "AMI's own SOCI unit, then install again with the defaults",
                  expected="the drop-in gives the AMI's daemon the flag, SOCI's own `config dump` shows the settings, "
                           "it logs at debug and serves; the default run takes the flag out again")
    node = fresh_al2023_node("al2023-daemon-settings")
    shipped = ami_soci(node)
    tuned = node.play(INSTALL, {"soci_log_level": "debug", "soci_v1_index": True, "soci_content_store": "soci"})
    assert tuned.rc == 0, tuned.log
    exec_start = node.sh("systemctl show -p ExecStart --value soci-snapshotter.service").stdout
    dump = node.sh("/usr/bin/soci-snapshotter-grpc config dump").stdout
    debug_lines = node.sh("journalctl -b -u soci-snapshotter.service -o cat | grep -c '\"level\":\"debug\"' || true").stdout.strip()
    ran = node.runs_a_container()
    back = node.play(INSTALL)
    exec_after = node.sh("systemctl show -p ExecStart --value soci-snapshotter.service").stdout
    record["observed"] = ("rc=%d; ExecStart %s --log-level debug; dump: soci_v1 %s, content store %s; %s debug log "
                          "lines; containers run with %s; defaults again: rc=%d, flag %s, AMI units %s" % (
                              tuned.rc, "has" if "--log-level debug" in exec_start else "LACKS",
                              "on" if re.search(r"\[pull_modes.soci_v1\]\s+enable = true", dump) else "OFF",
                              (re.search(r"\[content_store\]\s+type = [\"'](\w+)", dump) or [None, "?"])[1],
                              debug_lines, ran, back.rc, "gone" if "--log-level" not in exec_after else "LEFT",
                              "kept" if ami_soci(node)[:4] == shipped[:4] else "CHANGED"))
    assert "/usr/bin/soci-snapshotter-grpc" in exec_start and "--log-level debug" in exec_start, exec_start
    assert re.search(r"\[pull_modes.soci_v1\]\s+enable = true", dump), dump
    assert re.search(r"\[content_store\]\s+type = [\"']soci[\"']", dump), dump
    assert int(debug_lines) > 0 and ran == "soci"
    assert back.rc == 0 and "--log-level" not in exec_after, back.log
    assert ami_soci(node)[:4] == shipped[:4]  # the AMI's units as shipped, through both runs


def test_convert_drains_node_by_node_and_stops_at_the_first_failure(fresh_node, record, tmp_path):
    record.update(group="Runs", what="`lazypull.soci.convert` over three nodes that run a container (kubectl a TEST "
                                     "STAND-IN: no API server here); the second node's containerd template is broken",
                  expected="first node drained, converted, checked, uncordoned, its container still running; the second "
                           "drained, rolled back and left cordoned; the roll stops there: the third is not touched")
    nodes = [fresh_node("convert-%d" % i) for i in (1, 2, 3)]
    for node in nodes:
        node.sh("ctr -n k8s.io images pull --plain-http %s >/dev/null && ctr -n k8s.io run -d %s daemonset-pod "
                "/bin/busybox sleep 3600" % (TEST_IMAGE, TEST_IMAGE))
    nodes[1].sh("echo '[plugins' >> /etc/eks/containerd/containerd-config.toml")
    inventory = tmp_path / "inventory.yml"
    inventory.write_text("all:\n  hosts:\n" + "".join(
        "    %s:\n      ansible_connection: containers.podman.podman\n      ansible_python_interpreter: /usr/bin/python3\n"
        "      soci_k8s_node_name: k8s-%s\n" % (node.name, node.name) for node in nodes)
        + "  vars:\n    soci_release_base_url: %s\n    soci_allow_insecure_download: true\n"
        # from the inventory, as users set it: the playbook's own default must not win over it
        "    soci_kubectl: %s\n" % (RELEASES, os.path.join(REPO, "tests", "reliability", "kubectl-standin")))
    log = tmp_path / "kubectl.log"
    log.write_text("")
    env = dict(os.environ, ANSIBLE_PIPELINING="true", ANSIBLE_NOCOLOR="1", LAZYPULL_KUBECTL_LOG=str(log))
    result = subprocess.run(["ansible-playbook", "-i", str(inventory), "lazypull.soci.convert"],
                            env=env, capture_output=True, text=True, check=False)
    (tmp_path / "convert.log").write_text(result.stdout + result.stderr)
    calls = log.read_text().split("\n")[:-1]
    first = nodes[0].runs_a_container() if calls[1:2] else "-"
    second = nodes[1].cri_snapshotter()
    still = nodes[0].sh("ctr -n k8s.io tasks ls | grep -c 'daemonset-pod .*RUNNING' || true").stdout.strip()
    third = nodes[2].sh("test -e /etc/soci-snapshotter-grpc/config.toml && echo touched || echo untouched").stdout.strip()
    record["observed"] = "rc=%d; kubectl calls: %s; first node's pods use %s, its container running: %s; second: %s; " \
                         "third %s" % (result.returncode, ", ".join(c.replace("k8s-lazypull-rel-", "") for c in calls),
                                       first, still, second, third)
    assert result.returncode != 0
    assert calls == ["drain k8s-%s" % nodes[0].name, "uncordon k8s-%s" % nodes[0].name, "drain k8s-%s" % nodes[1].name], \
        result.stdout[-4000:]
    assert first == "soci" and still == "1"
    assert second == "overlayfs" and third == "untouched", result.stdout[-3000:]

# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Faults and bad inputs: lazypull.soci.install against a fresh node that something is wrong with, either a node laid
out like today's EKS AL2023 AMI (containerd 2.1, the AMI's SOCI package and units, nodeadm with FastImagePull on:
the AMI's SOCI already serves the pods; the role installs the release through a drop-in on the AMI's service) or one
laid out like an EKS AL2 worker (containerd 1.7, no SOCI yet). Each case: the play fails (or skips) with one line
naming the cause, the node's files, units and packages are as before (the role's rollback included), and containerd
still runs a container with the snapshotter its pods use. SOCI is the real release built from its Go module
(tests/soci); faulty mirrors repack it (tests/reliability/make-fault-releases.sh), and only the daemons that exit or
never get ready are TEST FAULT scripts. Everything else on the node is real."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest

from node import AL2, AL2023, RELEASES, STEP, TEST_IMAGE, differences, one_line

LIVE = "/etc/containerd/config.toml"
KUBELET = "/etc/kubernetes/kubelet/kubelet-config.json"
AL2023_KUBELET = "/etc/kubernetes/kubelet/config.json"

# The snapshotter a fresh node's pods use, per kind of node.
PODS_SNAPSHOTTER = {AL2: "overlayfs", AL2023: "soci"}  # AL2023: nodeadm's FastImagePull already runs the AMI's SOCI
# On the AL2023 AMI node the role installs the release (its faults break it) and runs it through a drop-in on the
# AMI's own SOCI service, which it keeps.
AL2023_RELEASE = {"soci_install_method": "release"}
AMI_ROLLBACK = (r"^SOCI was not set up: %s.*\. Rolled back: restored /etc/soci-snapshotter-grpc/config\.toml, removed "
                r"/etc/systemd/system/soci-snapshotter\.service\.d/50-lazypull-soci\.conf, .*removed "
                r"/etc/eks/nodeadm\.d/50-lazypull-soci\.yaml, removed /usr/local/bin/soci, .*SOCI restarted on its "
                r"previous version(, containerd (restarted|started again))?\.")


@dataclass
class Fault:
    id: str
    group: str
    what: str
    expected: str
    pattern: str
    setup: str = ""
    extra: dict = field(default_factory=dict)
    fails: bool = True
    rollback: bool = False  # containerd may have been restarted (on its restored configuration)
    attempts: int = 0  # download attempts the play may make (0: not a download case)
    afterwards: str = ""  # a command that must still succeed on the node after the play
    node: str = AL2  # which prepared node the case runs on
    varies: str = ""  # a part of the message that differs from run to run, masked in the report


def mirror(fault, **extra):
    return dict({"soci_release_base_url": "%s/faults/%s" % (RELEASES, fault)}, **extra)


FAULTS = [
    Fault("checksum-mismatch", "SOCI release", "the mirror's .sha256sum names other bytes than its archive",
          "fails at once (no retries), names the URL, both hashes and the source", r"^SOCI was not set up: .*tar\.gz: "
          r"sha256 is [0-9a-f]{64}, expected 0{64} from the \.sha256sum file next to the archive: http://.*\.sha256sum\. "
          r"Nothing on the node was changed\.", extra=mirror("checksum-mismatch"), attempts=1),
    Fault("checksum-list-elsewhere-disagrees", "SOCI release", "the mirror's archive and .sha256sum agree, but the "
          "checksum list at another origin (`soci_checksum_url`) names other bytes for it",
          "fails at once, names both hashes and the list that vouched", r"^SOCI was not set up: .*tar\.gz: sha256 is "
          r"[0-9a-f]{64}, expected [0-9a-f]{64} from the checksum file http://.*/sums/SHA256SUMS-other-bytes "
          r"\(soci_checksum_url\)\. Nothing on the node was changed\.",
          extra={"soci_checksum_url": "%s/faults/sums/SHA256SUMS-other-bytes" % RELEASES}, attempts=1),
    Fault("plain-http-mirror", "SOCI release", "`soci_release_base_url` is `http://` without "
          "`soci_allow_insecure_download`", "refused on the controller before the node is probed",
          r"^http://127\.0\.0\.1:5124 is plain HTTP: the release and its checksum could be replaced on the way\. "
          r"Use https://, or set soci_allow_insecure_download=true", extra={"soci_allow_insecure_download": False}),
    Fault("archive-member-is-a-link", "SOCI release", "the archive's `soci` is a symbolic link to /etc/passwd",
          "fails before anything is unpacked or replaced", r"is not a usable SOCI release archive: soci and "
          r"soci-snapshotter-grpc must be plain files, not l.* soci -> /etc/passwd", extra=mirror("link-member")),
    Fault("archive-404", "SOCI release", "the mirror has no such release (HTTP 404)",
          "fails at once, names the URL and the status", r"sha256sum: HTTP Error 404", extra=mirror("missing"),
          attempts=1),
    Fault("mirror-unreachable", "SOCI release", "the mirror does not answer (connection refused), 2 retries",
          "fails after 3 attempts, names the URL", r"http://127\.0\.0\.1:9/.*Connection refused.*\(after 3 attempts\)",
          extra={"soci_release_base_url": "http://127.0.0.1:9", "soci_download_retries": 2}, attempts=3),
    Fault("truncated-archive", "SOCI release", "the archive is cut in half (and its .sha256sum matches the half)",
          "fails before anything in /usr/local/bin is replaced", r"is not a usable SOCI release archive: .*"
          r"(unexpected end of file|Unexpected EOF)", extra=mirror("truncated")),
    Fault("archive-without-daemon", "SOCI release", "the archive has `soci` but no `soci-snapshotter-grpc`",
          "fails before anything in /usr/local/bin is replaced", r"soci-snapshotter-grpc: Not found in archive",
          extra=mirror("no-daemon")),
    Fault("air-gapped-archive-wrong-sha256", "SOCI release",
          "`soci_archive` given with a `soci_archive_sha256` it does not have",
          "fails on the controller, before the archive is copied", r"sha256 [0-9a-f]{64} does not match 0{64} from "
          r"soci_archive_sha256; nothing was installed",
          extra={"soci_archive": "@GOOD_ARCHIVE@", "soci_archive_sha256": "0" * 64}),
    Fault("daemon-exits", "SOCI daemon", "the release's daemon exits 1 when systemd starts it",
          "rolls back: the AMI's SOCI config restored, the role's drop-ins and binaries removed, the AMI's SOCI "
          "restarted as it was, containerd (which requires it there and stopped with it) started again",
          AMI_ROLLBACK % (STEP + r": .*control process exited with error"),
          extra=mirror("daemon-exits"), rollback=True, node=AL2023),
    Fault("daemon-never-ready", "SOCI daemon", "the release's daemon never tells systemd it is ready (Type=notify)",
          "rolls back as above once systemd's start timeout ends", AMI_ROLLBACK % (STEP + r": .*timeout"),
          extra=mirror("daemon-hangs"), rollback=True, node=AL2023),
    Fault("daemon-never-answers", "SOCI daemon", "the release's daemon tells systemd it is ready and holds its "
          "socket, but never answers a request (`soci_health_timeout: 20`)", "the health check gives up after 20 s "
          "(each `ctr` call time-boxed) and rolls back as above", AMI_ROLLBACK % (
              STEP + r": the soci snapshotter did "
              r"not answer within 20 s \((containerd|SOCI at /run/soci-snapshotter-grpc/soci-snapshotter-grpc\.sock): .+\)"),
          extra=mirror("daemon-silent", soci_health_timeout=20), rollback=True, node=AL2023,
          varies=r"(?<=did not answer within 20 s \().+?(?=\)\. Rolled back)"),
    Fault("soci-config-unknown-key", "Node configuration",
          "`soci_config_overrides` with a misspelt key (`pull_modes.soci_v2.enabel`), which SOCI would ignore",
          "the real daemon reads the new config.toml first; the key is refused with the keys SOCI knows there; "
          "rolled back", r"would ignore these keys of the new /etc/soci-snapshotter-grpc/config\.toml \(check "
          r"soci_config_overrides\): pull_modes\.soci_v2\.enabel \(known there: enable\)\. Rolled back: removed ",
          extra={"soci_config_overrides": {"pull_modes": {"soci_v2": {"enabel": True}}}}, node=AL2023),
    Fault("soci-config-bad-value", "Node configuration", "`soci_config_overrides` with a value of the wrong type "
          "(`max_concurrency = \"many\"`)", "the real daemon refuses it with its own message; rolled back",
          r"soci-snapshotter-grpc refuses the new /etc/soci-snapshotter-grpc/config\.toml: failed to load config "
          r"file .*/etc/soci-snapshotter-grpc/config\.toml.*: toml: cannot decode TOML string into struct field "
          r"config\.Config\.MaxConcurrency of type int64\. Rolled back: removed ",
          extra={"soci_config_overrides": {"max_concurrency": "many"}}, node=AL2023),
    Fault("containerd-rejects-config", "Node configuration",
          "the live containerd config has a value containerd cannot load (`oom_score = \"high\"`) and already names "
          "SOCI (FastImagePull), so the role has nothing to patch in it; SOCI, which containerd requires there, and "
          "containerd must restart", "containerd reads its configuration before SOCI is restarted (which would stop "
          "it) and nothing is restarted; containerd keeps running; rolled back", r"^SOCI was not set up: " + STEP
          + r": containerd cannot load its configuration, so SOCI, which containerd needs, was not restarted: containerd: "
          r"failed to unmarshal TOML at row \d+ column \d+: toml: cannot decode TOML string into struct field "
          r"config\.Config\.OOMScore of type int\. Rolled back: restored /etc/soci-snapshotter-grpc/config\.toml, "
          r".*removed /usr/local/bin/soci-snapshotter-grpc, removed /etc/systemd/system/soci-snapshotter\.service\.d/\. "
          r"Logs", setup="sed -i '/^version/a oom_score = \"high\"' %s" % LIVE, node=AL2023),
    Fault("malformed-containerd-toml", "Node configuration", "the live containerd config is not valid TOML",
          "fails naming the file and the parse error; nothing replaced", r"/etc/containerd/config\.toml.*TOML",
          setup="printf '[plugins.\"io.containerd.grpc.v1.cri\"\\n' >> %s" % LIVE, node=AL2023),
    Fault("malformed-kubelet-json", "Node configuration", "kubelet's config.json is cut short (invalid JSON)",
          "fails naming the file; the files already written are put back", r"^SOCI was not set up: Point kubelet's "
          r"image service at SOCI: /etc/kubernetes/kubelet/config\.json: invalid JSON at line \d+, column \d+: .*"
          r"Rolled back: restored /etc/soci-snapshotter-grpc/config\.toml, removed ", setup="sed -i '$d' %s"
          % AL2023_KUBELET, node=AL2023),
    Fault("malformed-kubelet-yaml", "Node configuration", "a kubeadm-style config.yaml that is not valid YAML",
          "fails naming the file; the containerd configs already patched are put back",
          r"/var/lib/kubelet/config\.yaml.*YAML.*Rolled back: restored",
          setup="mkdir -p /var/lib/kubelet && printf 'kind: KubeletConfiguration\\nimageServiceEndpoint: [unclosed\\n'"
                " > /var/lib/kubelet/config.yaml", extra={"soci_kubelet_configs": ["/var/lib/kubelet/config.yaml"]}),
    Fault("config-schema-newer", "Node configuration", "the live config says `version = 3` (containerd 2.x) on containerd 1.7",
          "fails naming the file and the version mismatch; nothing replaced",
          r"/etc/containerd/config\.toml: the new content failed validation .* failed to load TOML from "
          r"/etc/containerd/config\.toml \(patched copy\): unsupported config version `3`",
          setup="sed -i 's/^version = 2/version = 3/' %s" % LIVE),
    Fault("containerd-missing-skip", "Node checks", "no containerd binary on the node (default `soci_unsupported_action: skip`)",
          "skips the node with a message, changes nothing", r"Skipping SOCI on this node: containerd is not installed",
          setup="rm /usr/bin/containerd", fails=False),
    Fault("containerd-missing-fail", "Node checks", "no containerd binary, `soci_unsupported_action: fail`",
          "fails naming the binary", r"^containerd not found \(containerd\)$", setup="rm /usr/bin/containerd",
          extra={"soci_unsupported_action": "fail"}),
    Fault("containerd-unsupported-skip", "Node checks", "containerd 1.7 with `soci_containerd_supported: >=2.0.0`",
          "skips the node with a message, changes nothing", r"Skipping SOCI on this node: containerd 1\.7\.\d+ is "
          r"outside >=2\.0\.0", extra={"soci_containerd_supported": ">=2.0.0"}, fails=False),
    Fault("containerd-unsupported-fail", "Node checks", "as above with `soci_unsupported_action: fail`",
          "fails naming the version and the range", r"^containerd 1\.7\.\d+ is outside soci_containerd_supported "
          r">=2\.0\.0$", extra={"soci_containerd_supported": ">=2.0.0", "soci_unsupported_action": "fail"}),
    Fault("unsupported-architecture", "Node checks", "the node reports riscv64 (a stand-in `uname` in /usr/local/bin)",
          "fails naming the architecture", r"^Unsupported architecture riscv64 \(SOCI ships amd64 and arm64\)$",
          setup="printf '#!/bin/sh\\n# TEST STAND-IN: a riscv64 node\\n[ \"$1\" = -m ] && echo riscv64 || exec /bin/uname \"$@\"\\n'"
                " > /usr/local/bin/uname && chmod 0755 /usr/local/bin/uname"),
    Fault("fuse-unavailable", "Node checks", "no /dev/fuse and no fuse module (hidden), `modprobe fuse` fails",
          "fails naming modprobe's error; nothing left behind", r"Load the fuse kernel module.*modprobe.*fuse",
          setup="rm -f /dev/fuse && mount -t tmpfs lazypull-no-modules /sys/module"),
    Fault("remove-data-system-folder", "Node checks", "uninstall with `soci_remove_data: true` and `soci_root_dir: "
          "/var`", "refused on the controller before the node is touched", r"^soci_root_dir is /var, a system folder: "
          r"SOCI needs a data folder of its own \(uninstall with soci_remove_data deletes it\)$",
          extra={"soci_state": "absent", "soci_remove_data": True, "soci_root_dir": "/var"}),
    Fault("socket-path-with-newline", "Node checks", "`soci_socket` with a newline and a systemd directive in it",
          "refused on the controller (it would become a line of the socket unit)", r"^soci_socket must be an absolute "
          r"path of letters, digits and \. _ \+ @ - .*: \"/run/soci\.sock\\nExecStartPre=/bin/sh\"$",
          extra={"soci_socket": "/run/soci.sock\nExecStartPre=/bin/sh"}),
    Fault("node-python-3.7", "Node checks", "the node's Python is 3.7, as on stock EKS AL2 (a stand-in interpreter "
          "that reports 3.7, named as `ansible_python_interpreter`)", "fails before the first module, naming the "
          "version, what this ansible-core needs and what to do on AL2", r"^Python 3\.7 \(/usr/local/bin/python3\.7\) "
          r"on this node; ansible-core 2\.\d+\.\d+ runs modules on Python 3\.\d+ or later\. Stock EKS AL2 has Python 3\.7",
          setup="printf '#!/bin/sh\\n# TEST STAND-IN: stock EKS AL2 /usr/bin/python3\\necho 3.7\\n' "
                "> /usr/local/bin/python3.7 && chmod 0755 /usr/local/bin/python3.7",
          extra={"ansible_python_interpreter": "/usr/local/bin/python3.7"}),
    Fault("auth-parallel-none", "Registry credentials", "parallel pull mode with `soci_auth: []`",
          "refuses: SOCI would download every layer without credentials", r"^soci_pull_mode=parallel downloads every "
          r"layer through SOCI, which would have no registry credentials \(soci_auth is empty\)\. Add docker_config or "
          r"kubeconfig to soci_auth, or set soci_auth=\[anonymous\] if every image is public$",
          extra={"soci_pull_mode": "parallel", "soci_auth": []}),
    Fault("auth-parallel-cri-without-kubelet", "Registry credentials",
          "parallel pull mode with the CRI keychain only, on a node with no kubelet configuration to point at SOCI",
          "refuses: kubelet would pass SOCI no credentials", r"which would have no registry credentials \(cri: no "
          r"kubelet configuration to point at SOCI, so kubelet passes it none\)",
          setup="rm %s" % KUBELET, extra={"soci_pull_mode": "parallel"}),
    Fault("auth-helper-missing", "Registry credentials", "`soci_auth: [docker_config]`; root's docker config names "
          "the credential helper `ecr-login`, which the node does not have", "refuses, naming the helper and the PATH "
          "SOCI runs it from", r"^soci_auth: docker_config, but /root/\.docker/config\.json names credential helpers "
          r"SOCI cannot run: docker-credential-ecr-login \(not in /usr/local/sbin:.*\)$",
          setup="mkdir -p /root/.docker && printf '{\"credHelpers\": {\"registry.test\": \"ecr-login\"}}\\n' "
                "> /root/.docker/config.json", extra={"soci_auth": ["docker_config"]}),
    Fault("auth-kubeconfig-missing", "Registry credentials", "`soci_auth: [cri, kubeconfig]` with a `soci_kubeconfig` "
          "the node does not have", "refuses, naming the file", r"^soci_auth: kubeconfig, but soci_kubeconfig "
          r"/etc/soci-snapshotter-grpc/kubeconfig does not exist on the node$",
          extra={"soci_auth": ["cri", "kubeconfig"], "soci_kubeconfig": "/etc/soci-snapshotter-grpc/kubeconfig"}),
    Fault("running-containers", "Node checks", "a container runs in containerd's k8s.io namespace",
          "refuses (its image was unpacked by overlayfs); the container keeps running",
          r"^1 containers run in containerd's k8s\.io namespace with the overlayfs snapshotter\..*"
          r"soci_convert_running_node=true",
          setup="ctr -n k8s.io images pull --plain-http %s >/dev/null && "
                "ctr -n k8s.io run -d %s lazypull-running /bin/busybox sleep 3600 >/dev/null" % (TEST_IMAGE, TEST_IMAGE),
          afterwards="ctr -n k8s.io task ls | grep -q '^lazypull-running .*RUNNING'"),
]


@pytest.mark.parametrize("fault", FAULTS, ids=[f.id for f in FAULTS])
def test_fault(fault, request, record, good_archive):
    record.update(group=fault.group, node=fault.node, what=fault.what, expected=fault.expected)
    node = request.getfixturevalue("fresh_al2023_node" if fault.node == AL2023 else "fresh_node")(fault.id)
    if fault.setup:
        node.sh(fault.setup)
    extra = dict(AL2023_RELEASE if fault.node == AL2023 else {}, **fault.extra)
    extra = {k: (good_archive if v == "@GOOD_ARCHIVE@" else v) for k, v in extra.items()}
    before = node.snapshot()
    result = node.play("lazypull.soci.install", extra)
    after = node.snapshot()
    said = result.final_error if fault.fails else " ".join(result.messages)
    # Which of the time-boxed calls gave up last, and its words, depend on timing.
    record["observed"] = re.sub(fault.varies, "<what the last time-boxed call said>", one_line(said)) if fault.varies \
        else one_line(said)
    record["seconds"] = round(result.seconds)

    if fault.fails:
        assert result.rc == 2, "expected the play to fail, rc=%d (%s)" % (result.rc, result.log)
        assert "\n" not in said.strip(), "not one line: %r" % said
    else:
        assert result.rc == 0 and result.changed == 0, "expected a skip without changes (%s)" % result.log
    assert re.search(fault.pattern, said), "%r does not match %r (%s)" % (said, fault.pattern, result.log)
    if fault.attempts == 1:  # a permanent error is not retried
        assert max(result.attempts.values() or [1]) == 1, result.attempts
    elif fault.attempts:  # retried with Ansible's 5 s delay between attempts
        assert result.seconds >= 5 * (fault.attempts - 1), "%d s for %d attempts" % (result.seconds, fault.attempts)
    changed = differences(before, after, restarts_allowed=fault.rollback)
    assert not changed, "the node changed: %s" % changed[:10]
    assert after["backups"] == before["backups"], "backup copies left: %s" % after["backups"]
    node.runs_a_container(PODS_SNAPSHOTTER[fault.node])  # what the fresh node's pods use (the config may be the fault)
    if fault.afterwards:
        node.sh(fault.afterwards)

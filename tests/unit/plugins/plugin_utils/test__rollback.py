# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The rollback's ledger and message, from results shaped like the ones the role's tasks register (make reliability
runs the real rollbacks on nodes)."""

from __future__ import annotations

from ansible_collections.lazypull.soci.plugins.plugin_utils._rollback import (
    failure_cause, failure_message, undo_ledger, undo_report)

CONTAINERD = "/etc/containerd/config.toml"
TEMPLATE = "/etc/eks/containerd/containerd-config.toml"
KUBELET = "/etc/kubernetes/kubelet/kubelet-config.json"
UNIT = "/etc/systemd/system/soci-snapshotter.service"
CONFIG = "/etc/soci-snapshotter-grpc/config.toml"


def patched(path, backup=None, changed=True):
    result = {"changed": changed, "path": path}
    if backup:
        result["backup_file"] = backup
    return result


def test_replaced_files_come_back_and_new_ones_go():
    containerd_loop = {"changed": True, "results": [patched(TEMPLATE, TEMPLATE + ".1.b~"), patched(CONTAINERD, changed=False)]}
    ledger = undo_ledger([containerd_loop, {"changed": False, "skipped": True}], [[UNIT, "-"], [CONFIG, CONFIG + ".2.b~"]],
                         owned_files=[UNIT, CONFIG], owned_dirs=["/etc/soci-snapshotter-grpc"],
                         present={TEMPLATE, CONTAINERD, CONFIG, "/etc/soci-snapshotter-grpc"})
    assert ledger == {"restore": [[TEMPLATE + ".1.b~", TEMPLATE], [CONFIG + ".2.b~", CONFIG]], "remove": [UNIT],
                      "remove_dirs": []}


def test_new_files_go_in_the_order_the_role_lists_them_then_the_others():
    dropin = "/etc/eks/nodeadm.d/50-lazypull-soci.yaml"
    ledger = undo_ledger([{"changed": True, "dest": dropin}, {"changed": True, "results": [patched(CONTAINERD)]}],
                         [["/usr/local/bin/soci", "-"], [UNIT, "-"]], owned_files=[UNIT, dropin, "/usr/local/bin/soci"],
                         owned_dirs=[], present=set())
    assert ledger["remove"] == [UNIT, dropin, "/usr/local/bin/soci", CONTAINERD]


def test_a_file_changed_twice_comes_back_as_it_was_before_the_first_change():
    ledger = undo_ledger([patched(CONTAINERD, CONTAINERD + ".1.first~")], [[CONTAINERD, CONTAINERD + ".2.second~"]],
                         [], [], {CONTAINERD})
    assert ledger["restore"] == [[CONTAINERD + ".1.first~", CONTAINERD]]


def test_a_config_a_module_created_is_removed():
    # A generic node without /etc/containerd/config.toml gets one; undone, containerd runs on its defaults again
    # instead of a config that names a snapshotter the rollback stopped.
    ledger = undo_ledger([{"changed": True, "results": [patched(CONTAINERD)]}], [], [], [], set())
    assert ledger["remove"] == [CONTAINERD] and ledger["restore"] == []


def test_a_file_rewritten_without_a_backup_is_left_as_it_is():
    # The nodeadm drop-in is written without a backup (nodeadm would read one); a re-run that changes it cannot give
    # the old one back, and must not delete it.
    dropin = "/etc/eks/nodeadm.d/50-lazypull-soci.yaml"
    ledger = undo_ledger([{"changed": True, "dest": dropin}], [], [dropin], [], {dropin})
    assert ledger == {"restore": [], "remove": [], "remove_dirs": []}


def test_files_no_step_reported_are_removed_if_they_are_new():
    # A step that failed half way reports nothing; what the role owns and the node did not have goes anyway.
    ledger = undo_ledger([], [], [UNIT, CONFIG], ["/etc/soci-snapshotter-grpc", "/etc/systemd/system/containerd.service.d"],
                         {CONFIG, "/etc/soci-snapshotter-grpc"})
    assert ledger == {"restore": [], "remove": [UNIT], "remove_dirs": ["/etc/systemd/system/containerd.service.d"]}


def test_cause_of_a_checksum_mismatch_names_the_source_of_the_expected_sum():
    failed = {"failed": True, "url": "https://mirror/soci.tar.gz", "msg": "The checksum for /tmp/x did not match "
              + "a" * 64 + "; it was " + "b" * 64 + "."}
    assert failure_cause(failed, vouched_by="soci_archive_sha256", attempts=0) == (
        "https://mirror/soci.tar.gz: sha256 is %s, expected %s from soci_archive_sha256" % ("b" * 64, "a" * 64))


def test_cause_of_a_retried_download_and_of_a_loop_item():
    download = {"failed": True, "url": "https://mirror/soci.tar.gz", "msg": "Request failed", "response": "HTTP Error 503:\n  Service Unavailable."}
    assert failure_cause(download, attempts=4) == "https://mirror/soci.tar.gz: HTTP Error 503: Service Unavailable (after 4 attempts)"
    loop = {"failed": True, "msg": "One or more items failed", "results": [
        {"changed": False}, {"failed": True, "msg": "/etc/containerd/config.toml: invalid TOML at line 4, column 1"}]}
    assert failure_cause(loop) == "/etc/containerd/config.toml: invalid TOML at line 4, column 1"
    assert failure_cause({"failed": True}) == "unknown error"


def test_report_of_the_restarts():
    skipped = {"changed": False, "skipped": True}
    assert undo_report(["restored " + CONFIG], False, skipped, skipped) == ["restored " + CONFIG]
    assert undo_report([], True, {"rc": 0}, {"rc": 0, "changed": True, "stdout": "started"}) == [
        "SOCI disabled", "SOCI restarted on its previous version", "containerd started again"]
    assert undo_report([], False, {"rc": 1, "stderr": "Job failed.\nsee journalctl\n"},
                       {"rc": 1, "changed": False, "stderr": ""}) == [
        "SOCI NOT restarted on its previous version (see journalctl)", "containerd NOT started again (no output)"]
    assert undo_report([], False, {}, {"rc": 0, "changed": True, "stdout": "restarted"}) == ["containerd restarted"]


def test_message_in_one_line():
    assert failure_message({"msg": "boom."}, "Install", applied=False) == (
        "SOCI was not set up: Install: boom. Nothing on the node was changed.")
    assert failure_message({"stderr": "no plugin"}, "", applied=True, done=["removed " + UNIT, "SOCI disabled"]) == (
        "SOCI was not set up: a step failed: no plugin. Rolled back: removed %s, SOCI disabled. "
        "Logs: journalctl -u soci-snapshotter -u containerd." % UNIT)


def test_message_names_the_gpu_settings_it_kept():
    assert failure_message({"msg": "no plugin"}, "Wait", applied=True, done=["containerd restarted"],
                           kept=["GSP firmware off (/etc/modprobe.d/nvidia-gsp.conf)"]) == (
        "SOCI was not set up: Wait: no plugin. Rolled back: containerd restarted. Kept (the node needs them without "
        "SOCI too): GSP firmware off (/etc/modprobe.d/nvidia-gsp.conf). Logs: journalctl -u soci-snapshotter -u containerd.")

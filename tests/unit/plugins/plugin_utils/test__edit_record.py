# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The record that lets a re-run leave containerd's and kubelet's files alone without reading them: the real edit
engines make the files, the role's real probe.sh reads the record back, and health.sh writes it."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess

import pytest

from ansible_collections.lazypull.soci.plugins.plugin_utils import _edit_record
from ansible_collections.lazypull.soci.plugins.plugin_utils._containerd_config import patch
from ansible_collections.lazypull.soci.plugins.plugin_utils._edit_record import in_place, record, stamp
from ansible_collections.lazypull.soci.plugins.plugin_utils._kubelet_config import edit

from ansible_collections.lazypull.soci.tests.unit.containerd_bins import fixture_text

FILES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "roles", "soci", "files")
CONTAINERD = "/etc/containerd/config.toml"
KUBELET = "/etc/kubernetes/kubelet/kubelet-config.json"
SOCK = "/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock"
CONTAINERD_EDIT = {"state": "present", "snapshotter": "soci", "address": SOCK, "root": "/var/lib/soci-snapshotter-grpc"}
KUBELET_EDIT = {"state": "present", "endpoint": "unix://" + SOCK}


def sha(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def probed(files, lines=""):
    """The probe's keys for files {path: text} and a record's lines, as the role reads them."""
    node = {"file:" + path: "%s 644 0 0" % sha(text) for path, text in files.items()}
    for line in lines.splitlines():
        line_stamp, checksum, path = line.split(" ", 2)
        node["edited:" + path] = "%s %s" % (line_stamp, checksum)
    return node


def edited(files):
    """The real engines' results, and the role's registered results for them (a loop each)."""
    containerd = patch(fixture_text("containerd", "eks-al2-template.toml"), CONTAINERD, address=SOCK).text
    kubelet = edit(fixture_text("kubelet", "eks-al2-kubelet-config.json"), KUBELET, "unix://" + SOCK).text
    results = [{"kind": "containerd", "options": CONTAINERD_EDIT,
                "results": {"results": [{"item": CONTAINERD, "changed": True, "sha256": sha(containerd)}]}},
               {"kind": "kubelet", "options": KUBELET_EDIT,
                "results": {"results": [{"item": KUBELET, "changed": True, "sha256": sha(kubelet)}]}}]
    files.update({CONTAINERD: containerd, KUBELET: kubelet})
    return results


def test_a_file_that_is_the_recorded_result_of_the_same_edit_is_left_alone():
    files = {}
    lines = record(probed({}), edited(files))
    node = probed(files, lines)
    assert in_place([CONTAINERD], node, "containerd", CONTAINERD_EDIT) == [CONTAINERD]
    assert in_place([KUBELET], node, "kubelet", KUBELET_EDIT) == [KUBELET]
    # What makes that safe: the same edit of the edited file changes nothing.
    assert patch(files[CONTAINERD], CONTAINERD, address=SOCK).text == files[CONTAINERD]
    assert not edit(files[KUBELET], KUBELET, "unix://" + SOCK).changed


@pytest.mark.parametrize("what", ["file changed", "other options", "other kind", "no record", "no file", "engine changed"])
def test_anything_else_is_read_again(what, monkeypatch):
    files = {}
    lines = record(probed({}), edited(files))
    options, kind = dict(CONTAINERD_EDIT), "containerd"
    if what == "file changed":  # nodeadm wrote it at boot, a person edited it, a rollback put the old one back
        files[CONTAINERD] += "# edited\n"
    elif what == "other options":
        options["address"] = "/run/other.sock"
    elif what == "other kind":
        kind = "kubelet"
    elif what == "no record":
        lines = ""
    elif what == "engine changed":  # a new version of the collection
        monkeypatch.setitem(_edit_record._DIGESTS, "containerd", "0" * 64)
    node = probed(files, lines)
    if what == "no file":
        del node["file:" + CONTAINERD]
    assert in_place([CONTAINERD], node, kind, options) == []


def test_the_record_is_written_only_when_it_says_something_new():
    files = {}
    edits = edited(files)
    lines = record(probed({}), edits)
    assert len(lines.splitlines()) == 2
    node = probed(files, lines)
    assert record(node, edits) == ""
    # A re-run that skipped both files keeps their lines: nothing new.
    skipped = [dict(e, results={"results": [{"item": r["item"], "skipped": True} for r in e["results"]["results"]]})
               for e in edits]
    assert record(node, skipped) == ""
    # One that failed on a file, or skipped one it had no record of, records the rest only.
    failed = [dict(edits[0], results={"results": [{"item": CONTAINERD, "failed": True}]}), skipped[1]]
    kubelet_line = "%s %s %s" % (stamp("kubelet", KUBELET_EDIT), sha(files[KUBELET]), KUBELET)
    assert record(node, failed) == kubelet_line
    assert record(probed(files), failed) == ""  # no record of the kubelet file before: a skip proves nothing


def test_the_stamp_covers_the_module_and_its_action_plugin():
    for kind, module in (("containerd", "containerd_soci_patch"), ("kubelet", "kubelet_image_endpoint")):
        assert {"modules/%s.py" % module, "action/%s.py" % module} <= set(_edit_record.ENGINES[kind])
        for name in _edit_record.ENGINES[kind]:
            assert os.path.isfile(os.path.join(_edit_record._PLUGINS, name)), name


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown kind of edit 'docker'"):
        stamp("docker", {})


def test_health_writes_the_record_and_probe_reads_it_back(tmp_path):
    """health.sh (with a stand-in ctr that answers as a healthy containerd and SOCI do) writes the record; probe.sh
    returns it with the files' checksums, and the role's filter finds both files in place."""
    files = {}
    lines = record(probed({}), edited(files))
    paths = {}
    for path, text in files.items():
        paths[path] = tmp_path / os.path.basename(path)
        paths[path].write_text(text, encoding="utf-8")
    lines = "\n".join(line.replace(path, str(paths[path])) for line in lines.splitlines() for path in files
                      if line.endswith(path))
    stand_in = tmp_path / "bin"
    stand_in.mkdir()
    (stand_in / "ctr").write_text("#!/bin/sh\nexit 0\n")
    (stand_in / "ctr").chmod(stat.S_IRWXU)
    env = dict(os.environ, PATH="%s:%s" % (stand_in, os.environ["PATH"]))
    record_file = tmp_path / "state" / "edited-files"
    health = subprocess.run(["/bin/sh", os.path.join(FILES, "health.sh"), "5", "soci", SOCK, str(record_file), lines,
                             "containerd", "", "--"],
                            env=env, capture_output=True, text=True, check=False)
    assert health.returncode == 0, health.stderr
    assert health.stdout == "recorded %s\n" % record_file
    probe = subprocess.run(["/bin/sh", os.path.join(FILES, "probe.sh"), "/nonexistent", "", "", "5", "/bin/false", "",
                            "", "", "", str(record_file)] + [str(p) for p in paths.values()],
                           env=env, capture_output=True, text=True, check=False)
    node = dict(line.split("=", 1) for line in probe.stdout.splitlines() if "=" in line)
    assert in_place([str(paths[CONTAINERD])], node, "containerd", CONTAINERD_EDIT) == [str(paths[CONTAINERD])]
    assert in_place([str(paths[KUBELET])], node, "kubelet", KUBELET_EDIT) == [str(paths[KUBELET])]
    # A record whose last line has no newline (written by hand) is read whole.
    record_file.write_text(record_file.read_text().rstrip("\n"))
    probe = subprocess.run(probe.args, env=env, capture_output=True, text=True, check=False)
    assert sum(line.startswith("edited:") for line in probe.stdout.splitlines()) == 2
    # Nothing new to record: the record stays as it is.
    health = subprocess.run(["/bin/sh", os.path.join(FILES, "health.sh"), "5", "soci", SOCK, str(record_file), "",
                             "containerd", "", "--"],
                            env=env, capture_output=True, text=True, check=False)
    assert (health.returncode, health.stdout) == (0, "")


def test_a_record_that_cannot_be_written_leaves_the_node_healthy(tmp_path):
    stand_in = tmp_path / "bin"
    stand_in.mkdir()
    (stand_in / "ctr").write_text("#!/bin/sh\nexit 0\n")
    (stand_in / "ctr").chmod(stat.S_IRWXU)
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    env = dict(os.environ, PATH="%s:%s" % (stand_in, os.environ["PATH"]))
    health = subprocess.run(["/bin/sh", os.path.join(FILES, "health.sh"), "5", "soci", SOCK, str(blocked / "record"),
                             "a b /etc/x", "containerd", "", "--"], env=env, capture_output=True, text=True, check=False)
    assert (health.returncode, health.stdout) == (0, "")
    assert "not written (the next run reads the files again)" in health.stderr

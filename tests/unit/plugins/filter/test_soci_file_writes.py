# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The role's file plan (soci_file_writes) and the node-side script that applies it (roles/soci/files/write-files.sh),
run for real on files in a temporary folder."""

from __future__ import annotations

import base64
import hashlib
import os
import stat
import subprocess

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.lazypull.soci.plugins.filter.soci_file_writes import soci_file_writes

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "roles", "soci", "files", "write-files.sh")


def probed(content, mode="644", uid=0):
    return "%s %s %d 0" % (hashlib.sha256(content.encode()).hexdigest(), mode, uid)


def test_files_the_node_has_are_left_out():
    node = {"file:/etc/a": probed("same\n"), "file:/etc/b": probed("old\n"), "file:/etc/c": probed("x", "600"),
            "file:/etc/d": probed("x", uid=1000)}
    lines = soci_file_writes([
        {"path": "/etc/a", "mode": "0644", "content": "same\n"},
        {"path": "/etc/b", "mode": "644", "content": "new\n"},
        {"path": "/etc/c", "mode": "644", "content": "x"},
        {"path": "/etc/d", "mode": "644", "content": "x"},
        {"path": "/etc/e", "mode": "600", "content": ""},
        {"path": "/usr/bin/f", "mode": "755", "source": "/tmp/f"},
    ], node)
    assert lines == ["/etc/b 644 " + base64.b64encode(b"new\n").decode(), "/etc/c 644 eA==", "/etc/d 644 eA==",
                     "/etc/e 600 ", "/usr/bin/f 755 @/tmp/f"]


def test_a_backup_folder_follows_the_content():
    lines = soci_file_writes([{"path": "/etc/eks/nodeadm.d/50-x.yaml", "mode": "644", "content": "x",
                               "backup_dir": "/var/lib/lazypull-soci"}], {})
    assert lines == ["/etc/eks/nodeadm.d/50-x.yaml 644 eA== /var/lib/lazypull-soci"]


@pytest.mark.parametrize("item", [{"mode": "644"}, {"path": "etc/x", "mode": "644"}, {"path": "/a b", "mode": "644"},
                                  {"path": "/a", "mode": "644", "content": "x", "backup_dir": "var/lib"},
                                  {"path": "/a", "mode": "644", "content": "", "backup_dir": "/var/lib"}])
def test_bad_entries_are_refused(item):
    with pytest.raises(AnsibleFilterError):
        soci_file_writes([item], {})


def run(how, lines, *args):
    with open(SCRIPT) as handle:
        script = handle.read()
    return subprocess.run(["/bin/sh", "-c", script, how] + list(args), input="\n".join(lines), capture_output=True,
                          text=True, check=False)


@pytest.mark.skipif(os.geteuid() != 0, reason="the script makes its files root's")
def test_write_files_backs_up_replaces_and_leaves_alone(tmp_path):
    old, source = tmp_path / "old.conf", tmp_path / "binary"
    old.write_text("old\n")
    old.chmod(0o644)
    source.write_bytes(b"\x7fELF")
    plan = soci_file_writes([{"path": str(old), "mode": "644", "content": "new\n"},
                             {"path": str(tmp_path / "new.toml"), "mode": "600", "content": "k = 1\n"},
                             {"path": str(tmp_path / "bin"), "mode": "755", "source": str(source)}], {})

    checked = run("check", plan)
    assert checked.returncode == 0 and old.read_text() == "old\n"
    assert checked.stdout.splitlines() == ["%s would be written" % p for p in (old, tmp_path / "new.toml", tmp_path / "bin")]
    # With diff: the text file's change, not the root-only one's content nor the binary's.
    diffed = run("check", plan, "diff").stdout.splitlines()
    assert [line for line in diffed if line.startswith("| ") and line[2:3] in "+-"] == [
        "| --- %s (before)" % old, "| +++ %s" % old, "| -old", "| +new"]
    assert not [line for line in diffed if "k = 1" in line]

    done = run("write", plan)
    assert done.returncode == 0, done.stderr
    written = [line.split(" ") for line in done.stdout.splitlines()]
    assert [w[0] for w in written] == [str(old), str(tmp_path / "new.toml"), str(tmp_path / "bin")]
    backup = written[0][1]
    assert backup.startswith(str(old) + ".") and backup.endswith("~") and open(backup).read() == "old\n"
    assert [w[1] for w in written[1:]] == ["-", "-"]
    assert old.read_text() == "new\n" and (tmp_path / "bin").read_bytes() == b"\x7fELF"
    assert oct((tmp_path / "new.toml").stat().st_mode & 0o777) == "0o600"
    assert not [p for p in os.listdir(tmp_path) if "lazypull-new" in p]

    again = run("write", plan)
    assert again.returncode == 0 and again.stdout == ""


@pytest.mark.skipif(os.geteuid() != 0, reason="the script makes its files root's")
def test_write_files_keeps_a_backup_in_the_folder_given(tmp_path):
    watched, keep = tmp_path / "nodeadm.d", tmp_path / "state" / "backups"
    watched.mkdir()
    (watched / "50-x.yaml").write_text("old\n")
    result = run("write", ["%s 644 %s %s" % (watched / "50-x.yaml", base64.b64encode(b"new\n").decode(), keep)])
    assert result.returncode == 0, result.stderr
    path, backup = result.stdout.split()
    assert path == str(watched / "50-x.yaml") and os.path.dirname(backup) == str(keep)
    assert os.listdir(watched) == ["50-x.yaml"]  # nothing else left where every file is read
    assert (watched / "50-x.yaml").read_text() == "new\n" and open(backup).read() == "old\n"
    assert stat.S_IMODE(os.stat(keep).st_mode) == 0o700


@pytest.mark.skipif(os.geteuid() != 0, reason="the script makes its files root's")
def test_write_files_makes_a_missing_folder(tmp_path):
    plan = ["%s 600 %s" % (tmp_path / "new" / "folder" / "config.toml", base64.b64encode(b"x").decode())]
    checked = run("check", plan)  # check mode compares outside the folder: nothing is made
    assert checked.returncode == 0, checked.stderr
    assert not (tmp_path / "new").exists()
    result = run("write", plan)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "%s -\n" % (tmp_path / "new" / "folder" / "config.toml")
    assert stat.S_IMODE(os.stat(tmp_path / "new" / "folder").st_mode) == 0o755


@pytest.mark.skipif(os.geteuid() != 0, reason="the script makes its files root's")
def test_write_files_says_what_it_wrote_before_a_failure(tmp_path):
    (tmp_path / "a-file").write_text("")
    plan = ["%s 644 %s" % (tmp_path / "first", base64.b64encode(b"1").decode()),
            "%s 644 %s" % (tmp_path / "a-file" / "second", base64.b64encode(b"2").decode())]
    checked = run("check", plan)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.splitlines() == ["%s would be written" % line.split(" ")[0] for line in plan]
    result = run("write", plan)
    assert result.returncode == 1
    assert result.stdout.splitlines() == ["%s -" % (tmp_path / "first")]
    assert "a-file: could not be made" in result.stderr

# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""A failed run of the role, undone: the ledger of the files it changed (from what its steps reported, not from a
list kept by hand) and the one-line message that says why it failed and what was put back."""

from __future__ import annotations

import re


def _items(results):
    """Registered results, a loop's items in place of the loop."""
    for result in results:
        if isinstance(result, dict):
            yield from result.get("results") or [result]


def undo_ledger(module_results, written, owned_files, owned_dirs, present):
    """How to undo the run, file by file, each at the state it had before the run's first change of it.

    module_results: registered results of the module tasks that write files (copy and the file-edit modules: a
    changed result names its file as dest or path, with backup_file where a copy of the old one was kept).
    written: [PATH, BACKUP] per file write-files.sh wrote (BACKUP "-": the file was new).
    owned_files, owned_dirs: what the role writes on this node; present: what the probe found before the run.
    Returns {"restore": [[BACKUP, PATH], ...], "remove": [PATH, ...], "remove_dirs": [DIR, ...]}; restore.sh prints
    what it did in this order, which the failure message repeats.
    """
    before = {}  # path -> the backup of its state before the run, or None where it did not exist
    changes = [(r.get("dest") or r.get("path"), r.get("backup_file")) for r in _items(module_results) if r.get("changed")]
    changes += [(path, None if backup == "-" else backup) for path, backup in written]
    for path, backup in changes:
        if path and path not in before and (backup or path not in present):
            before[path] = backup
    # New files, and files the role writes that were not there before though no step reported them (a step that
    # failed half way): the role's own in the order it lists them, then any other.
    new = [path for path, backup in before.items() if backup is None]
    remove = [path for path in owned_files if path not in present] + [path for path in new if path not in owned_files]
    return {
        "restore": [[backup, path] for path, backup in before.items() if backup],
        "remove": remove,
        "remove_dirs": [path for path in owned_dirs if path not in present],
    }


def _last_line(result):
    lines = (result.get("stderr") or "").strip().splitlines()
    return lines[-1] if lines else "no output"


def undo_report(rolled_back, soci_disabled, soci_restart, containerd_restart):
    """What the rollback did, in words: restore.sh's lines, then the units it stopped and restarted."""
    done = list(rolled_back or [])
    if soci_disabled:
        done.append("SOCI disabled")
    if soci_restart and "rc" in soci_restart:
        done.append("SOCI restarted on its previous version" if soci_restart["rc"] == 0
                    else "SOCI NOT restarted on its previous version (%s)" % _last_line(soci_restart))
    if containerd_restart and (containerd_restart.get("changed") or containerd_restart.get("rc", 0) != 0):
        if containerd_restart.get("rc") == 0:
            done.append("containerd started again" if containerd_restart.get("stdout") == "started"
                        else "containerd restarted")
        else:
            done.append("containerd NOT started again (%s)" % _last_line(containerd_restart))
    return done


def failure_cause(failed, vouched_by="", attempts=0):
    """The cause of a failed task in one line: its first failed item's response, stderr or message; a checksum
    mismatch with where the expected sum came from; a download with its URL (and attempts, where it was retried)."""
    failed = next((item for item in failed.get("results") or [] if item.get("failed")), failed)
    mismatch = re.search(r"did not match (\w+); it was (\w+)", failed.get("msg") or "")
    if mismatch:
        text = "sha256 is %s, expected %s from %s" % (mismatch.group(2), mismatch.group(1), vouched_by)
    else:
        text = failed.get("response") or failed.get("stderr") or failed.get("msg") or "unknown error"
    text = re.sub(r"\s+", " ", str(text)).strip()
    text = text[:-1] if text.endswith(".") else text
    if "url" in failed:
        text = "%s: %s%s" % (failed["url"], text, " (after %d attempts)" % attempts if attempts else "")
    return text


def failure_message(failed, task_name, applied, vouched_by="", attempts=0, done=(), kept=()):
    """The role's one-line failure: what failed and why, what was undone (undo_report), what was deliberately kept,
    where the logs are."""
    return "SOCI was not set up: %s: %s. %s%s%s" % (
        task_name or "a step failed", failure_cause(failed, vouched_by, attempts),
        "Rolled back: %s." % ", ".join(done) if done else "Nothing on the node was changed.",
        " Kept (the node needs them without SOCI too): %s." % ", ".join(kept) if kept else "",
        " Logs: journalctl -u soci-snapshotter -u containerd." if applied else "")

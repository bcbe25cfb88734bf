# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Which of containerd's and kubelet's files a re-run can leave alone without reading them.

What a file-edit module writes is a fixed point of its edit: the same edit of it changes nothing (the property tests
hold both engines to that). So a file whose checksum is the one recorded after the last edit of it, made with the same
options by the same engine, needs no round trip at all. The role keeps that record on the node, one line per file,
"STAMP SHA256 PATH" (the stamp names the engine's code and the options), the probe returns it as C(edited:PATH) keys
next to the files' C(file:PATH) checksums, and the health check writes a new one once the node has proved healthy.
A record that no longer matches (nodeadm rewrote the file at boot, someone edited it, a rollback restored it, a new
version of the collection) only costs the read the role would have made anyway.
"""

from __future__ import annotations

import hashlib
import json
import os

_PLUGINS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_SHARED = ("plugin_utils/_file_edit_action.py", "plugin_utils/_argspec.py")
# The code each kind of edit runs, the module's documented defaults included (the role passes only some options): a
# change to any of it is a new stamp, and every file is read again.
ENGINES = {
    "containerd": ("plugin_utils/_containerd_config.py", "plugin_utils/_toml_spans.py", "modules/containerd_soci_patch.py",
                   "action/containerd_soci_patch.py") + _SHARED,
    "kubelet": ("plugin_utils/_kubelet_config.py", "modules/kubelet_image_endpoint.py",
                "action/kubelet_image_endpoint.py") + _SHARED,
}


def _engine_digest(kind):
    digest = hashlib.sha256()
    for name in ENGINES[kind]:
        with open(os.path.join(_PLUGINS, name), "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()


_DIGESTS = {kind: _engine_digest(kind) for kind in ENGINES}


def stamp(kind, options):
    """The edit: which engine, which code, which options (a dict of the module options that shape the content)."""
    if kind not in ENGINES:
        raise ValueError("unknown kind of edit %r (known: %s)" % (kind, ", ".join(sorted(ENGINES))))
    text = json.dumps([kind, _DIGESTS[kind], options], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _checksum(node, path):
    """The file's SHA-256 as the probe found it (file:PATH is "SHA256 MODE UID GID" for a regular file)."""
    found = str(node.get("file:" + path, "")).split()
    return found[0] if len(found) == 4 and len(found[0]) == 64 else None


def _recorded(node, path, want):
    """The file's checksum where the probe found it to be the recorded result of the edit stamped `want`, else None."""
    checksum = _checksum(node, path)
    return checksum if checksum and node.get("edited:" + path) == "%s %s" % (want, checksum) else None


def in_place(paths, node, kind, options):
    """The paths whose file, as probed, is the recorded result of this same edit."""
    want = stamp(kind, options)
    return [path for path in paths if _recorded(node, path, want)]


def record(node, edits):
    """The record this run leaves, or "" where there is nothing new to record (an old line that stays behind is
    harmless: it matches only a file that is that edit's result).

    edits: one dict per file-edit task, {"kind", "options", "results"}: "results" is the task's registered result
    (a loop). A file the task edited or found right is recorded with the checksum the module returned; one it skipped
    because it was in place keeps its line; one it failed on, or skipped for another reason, is left out.
    """
    lines = []
    for edit in edits:
        want = stamp(edit["kind"], edit["options"])
        results = edit.get("results") or {}
        for result in results.get("results") or []:
            path = str(result.get("item", ""))
            if result.get("failed") or not path:
                continue
            if result.get("skipped"):
                checksum = _recorded(node, path, want)
                if checksum:
                    lines.append("%s %s %s" % (want, checksum, path))
            elif result.get("sha256"):
                lines.append("%s %s %s" % (want, result["sha256"], path))
    before = sorted("%s %s" % (value, key[len("edited:"):]) for key, value in node.items() if key.startswith("edited:"))
    return "" if not lines or sorted(lines) == before else "\n".join(lines)

# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: soci_file_writes
short_description: The files of a plan that the node does not have yet, as input for the role's write-files.sh
version_added: 1.0.0
description:
  - Takes the files the role wants on a node (path, mode, and the content or a file on the node to take it from) and
    what the role's probe found there (C(file:PATH) keys, C(SHA256 MODE UID GID) for a small regular file), and
    returns one line per file to write - C(PATH MODE BASE64) or C(PATH MODE @SOURCE), followed by the file's
    C(backup_dir) where it has one.
  - A file whose content, mode and owner (root) the node already has is left out, so a run with nothing to change
    needs no round trip for it. Files given by C(source) are always listed; the script compares those on the node.
options:
  _input:
    description:
      - The files, each a dict with C(path), C(mode) (octal, such as C(644)) and C(content) or C(source).
      - Optionally C(backup_dir), an absolute folder for the file's backup instead of the file's own folder (for a
        folder whose every file is read, such as nodeadm's drop-in folder).
    type: list
    elements: dict
    required: true
  node:
    description: What the probe found on the node (its C(file:PATH) keys).
    type: dict
    required: true
author:
  - lazypull.soci maintainers (@lazypull)
"""

EXAMPLES = r"""
- name: Write the files the node does not have yet
  ansible.builtin.command:
    argv: [/bin/sh, -c, "{{ lookup('ansible.builtin.file', 'write-files.sh') }}", write]
    stdin: "{{ __lines | join('\n') }}"
  vars:
    __lines: "{{ [{'path': '/etc/modules-load.d/fuse.conf', 'mode': '644', 'content': 'fuse\n'}]
      | lazypull.soci.soci_file_writes(probed) }}"
  when: __lines | length > 0
"""

RETURN = r"""
_value:
  description: One line per file to write, C(PATH MODE BASE64) or C(PATH MODE @SOURCE) (then C(backup_dir) where
    given), in the order given.
  type: list
  elements: str
"""

import base64
import hashlib

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_bytes, to_text


def soci_file_writes(files, node):
    if not isinstance(files, list) or not isinstance(node, dict):
        raise AnsibleFilterError("soci_file_writes needs a list of files and the probe's dict")
    lines = []
    for item in files:
        try:
            path, mode = str(item["path"]), str(item["mode"]).lstrip("0") or "0"
        except (KeyError, TypeError):
            raise AnsibleFilterError("soci_file_writes: each file needs path and mode: %r" % (item,))
        backup_dir = str(item.get("backup_dir") or "")
        for value in (path, backup_dir) if backup_dir else (path,):
            if any(c.isspace() for c in value) or not value.startswith("/"):
                raise AnsibleFilterError("soci_file_writes: not an absolute path without spaces: %r" % value)
        keep = " " + backup_dir if backup_dir else ""
        if "source" in item:
            lines.append("%s %s @%s%s" % (path, mode, item["source"], keep))
            continue
        data = to_bytes(item.get("content", ""))
        if keep and not data:
            raise AnsibleFilterError("soci_file_writes: %s: backup_dir needs content (an empty line field)" % path)
        if node.get("file:" + path, "") == "%s %s 0 0" % (hashlib.sha256(data).hexdigest(), mode):
            continue
        lines.append("%s %s %s%s" % (path, mode, to_text(base64.b64encode(data)), keep))
    return lines


class FilterModule:
    def filters(self):
        return {"soci_file_writes": soci_file_writes}

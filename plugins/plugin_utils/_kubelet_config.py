# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Controller-side editing of one top-level key of a KubeletConfiguration file (JSON or YAML).

The file is edited as text, so every other byte (key order, indentation, one-line arrays, comments) stays
as it was; the result is then parsed again and must equal the original document plus the one change.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

try:
    import yaml
except ImportError:  # pragma: no cover - PyYAML is a dependency of ansible-core
    yaml = None

KEY = "imageServiceEndpoint"


class KubeletConfigError(Exception):
    """A one-line, user-facing reason why the file cannot be edited."""


@dataclass
class EditResult:
    text: str
    changed: bool
    format: str
    previous: object


def detect_format(path, text, fmt="auto"):
    if fmt != "auto":
        return fmt
    if path.endswith(".json") or path.endswith(".conf") or text.lstrip().startswith("{"):
        return "json"
    return "yaml"


def edit(text, path, endpoint, fmt="auto"):
    """Set KEY to `endpoint` (or remove it when `endpoint` is None) in `text`, the content of `path`."""
    fmt = detect_format(path, text, fmt)
    load, edit_text = (_load_json, _edit_json) if fmt == "json" else (_load_yaml, _edit_yaml)
    data = load(text, path) if text.strip() else {}
    if not isinstance(data, dict):
        raise KubeletConfigError("%s: expected a KubeletConfiguration mapping, found a %s" % (path, _kind_of(data)))
    kind = data.get("kind")
    if kind not in (None, "KubeletConfiguration"):
        raise KubeletConfigError("%s: kind is %r, not KubeletConfiguration" % (path, kind))
    previous = data.get(KEY)
    if (endpoint is None and KEY not in data) or (endpoint is not None and previous == endpoint):
        return EditResult(text=text, changed=False, format=fmt, previous=previous)

    new_text = edit_text(text, endpoint)
    expected = dict(data)
    if endpoint is None:
        expected.pop(KEY, None)
    else:
        expected[KEY] = endpoint
    if load(new_text, path) != expected:
        raise KubeletConfigError("%s: the file's layout is too unusual to edit %s safely; set it by hand" % (path, KEY))
    return EditResult(text=new_text, changed=True, format=fmt, previous=previous)


def _kind_of(data):
    return {list: "list", str: "string"}.get(type(data), type(data).__name__)


def _load_json(text, path):
    try:
        return json.loads(text)
    except ValueError as exc:
        raise KubeletConfigError("%s: invalid JSON at line %d, column %d: %s"
                                 % (path, getattr(exc, "lineno", 0), getattr(exc, "colno", 0), getattr(exc, "msg", exc)))


def _load_yaml(text, path):
    if yaml is None:
        raise KubeletConfigError("the Python library PyYAML is required on the Ansible controller")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = " at line %d, column %d" % (mark.line + 1, mark.column + 1) if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise KubeletConfigError("%s: invalid YAML%s: %s" % (path, where, problem))


_WS = re.compile(r"[ \t\n\r]*")


def _members(text):
    """(key, key_start, value_end) of every member of the top-level JSON object, in file order."""
    decoder = json.JSONDecoder()
    pos = _WS.match(text, 0).end()
    if text[pos:pos + 1] != "{":
        return pos, []
    pos = _WS.match(text, pos + 1).end()
    members = []
    while text[pos:pos + 1] == '"':
        key, end = json.decoder.scanstring(text, pos + 1)
        colon = _WS.match(text, end).end()
        value_start = _WS.match(text, colon + 1).end()
        value_end = decoder.raw_decode(text, value_start)[1]
        members.append((key, pos, value_end))
        pos = _WS.match(text, value_end).end()
        if text[pos:pos + 1] == ",":
            pos = _WS.match(text, pos + 1).end()
    return pos, members


def _edit_json(text, endpoint):
    close, members = _members(text)
    ours = [m for m in members if m[0] == KEY]
    if endpoint is not None and ours:
        # Replace the value of the last occurrence (the one JSON readers keep); drop any earlier duplicates.
        key, start, end = ours[-1]
        text = text[:start] + json.dumps(KEY) + ": " + json.dumps(endpoint) + text[end:]
        ours = ours[:-1]
    for key, start, end in reversed(ours):
        text = _cut_member(text, start, end)
    if endpoint is None or any(m[0] == KEY for m in members):
        return text
    member = json.dumps(KEY) + ": " + json.dumps(endpoint)
    if not members:
        opening = text.index("{")
        return text[:opening + 1] + "\n  " + member + "\n" + text[close:]
    first_start = members[0][1]
    indent = text[text.rfind("\n", 0, first_start) + 1:first_start] if "\n" in text[:first_start] else " "
    last_end = members[-1][2]
    separator = ",\n" + indent if "\n" in text[:first_start] else ", "
    return text[:last_end] + separator + member + text[last_end:]


def _cut_member(text, start, end):
    """Remove one member and the comma that joined it to its neighbour."""
    after = _WS.match(text, end).end()
    if text[after:after + 1] == ",":
        # Remove from this member's start up to the next member's start.
        next_start = _WS.match(text, after + 1).end()
        return text[:start] + text[next_start:]
    before = text[:start].rstrip(" \t\r\n")
    if before.endswith(","):
        return before[:-1] + text[end:]
    return before + text[end:]


_YAML_KEY = re.compile(r'^(?:%s|"%s"|\'%s\')[ \t]*:(?:[ \t]|$)' % (KEY, KEY, KEY))


def _edit_yaml(text, endpoint):
    lines = text.splitlines(keepends=True)
    out, skipping = [], False
    replaced = False
    for line in lines:
        if skipping:
            if line[:1] in (" ", "\t") or not line.strip():
                continue
            skipping = False
        if _YAML_KEY.match(line):
            skipping = True
            if endpoint is not None and not replaced:
                out.append("%s: %s\n" % (KEY, _yaml_scalar(endpoint)))
                replaced = True
            continue
        out.append(line)
    if endpoint is not None and not replaced:
        end = len(out)
        while end and (out[end - 1].strip() in ("", "...") or out[end - 1].lstrip().startswith("#")):
            end -= 1
        if end and not out[end - 1].endswith("\n"):
            out[end - 1] += "\n"
        out.insert(end, "%s: %s\n" % (KEY, _yaml_scalar(endpoint)))
    return "".join(out)


def _yaml_scalar(value):
    plain = str(value)
    if yaml is not None and yaml.safe_load("k: " + plain) == {"k": value}:
        return plain
    return json.dumps(value)

# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Controller-side patch engine for containerd configuration files (schemas 1 to 4).

The file is edited as text: a scanner (_toml_spans) finds where each table and key is written, and the patch
replaces values, adds lines or inline-table members, and removes what it added, in place. Every byte it
does not mean to change stays as it was, and the time is linear in the size of the file. Python's tomllib
is the judge: the file must parse, and everything the edits can reach must parse, before and after, to the
original data plus exactly the intended changes (_Patch.verify), or nothing is written.

A key the patch adds or changes carries a trailing ``# lazypull.soci: ...`` marker recording what was there
before, so that ``state=absent`` restores exactly the previous value. Values inside an inline table cannot
carry comments: their marker sits at the end of the line that holds the inline table and names the key,
for example ``# lazypull.soci: snapshotter was "overlayfs"; disable_snapshot_annotations added``.
"""

from __future__ import annotations

import bisect
import math
import re
import tomllib
from dataclasses import dataclass, field

from ansible_collections.lazypull.soci.plugins.plugin_utils._toml_spans import (
    BARE_KEY_RE, KEY_RE, ScanError, Section, key_parts, raw_prefix, scan, value_end)

MARKER = "lazypull.soci"
_MARKER_RE = re.compile(r"#[ \t]*" + re.escape(MARKER) + r":[ \t]*")
_RECORD_SEPARATOR_RE = re.compile(r"[ \t]*;[ \t]*")
_WS_RE = re.compile(r"[ \t]*")
_LOCATION_RE = re.compile(r"^(?P<reason>.*?) \(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
_TYPE_NAMES = {bool: "boolean", int: "integer", float: "float", str: "string", list: "array"}

# The table that holds `snapshotter` for each config schema (containerd's CRI image settings).
CRI_IMAGES_TABLE = {
    1: ("plugins", "cri", "containerd"),
    2: ("plugins", "io.containerd.grpc.v1.cri", "containerd"),
    3: ("plugins", "io.containerd.cri.v1.images"),
    4: ("plugins", "io.containerd.cri.v1.images"),
}
SUPPORTED_VERSIONS = tuple(sorted(CRI_IMAGES_TABLE))
MANAGED_KEYS = ("snapshotter", "disable_snapshot_annotations", "discard_unpacked_layers")


class ConfigError(Exception):
    """A one-line, user-facing reason why the file cannot be patched."""


@dataclass
class PatchResult:
    text: str
    changed: bool
    config_version: int
    cri_table: str
    keys: list = field(default_factory=list)


def toml_path(keys):
    """Render a key path the way TOML spells it, e.g. plugins."io.containerd.grpc.v1.cri".containerd."""
    return ".".join(k if re.match(r"^[A-Za-z0-9_-]+$", k) else '"%s"' % k for k in keys)


def parse(text, path):
    """The data of a TOML text; ConfigError naming the file and the place when it is not valid TOML."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_decode_error(exc, text, path)) from None


def _decode_error(exc, text, path):
    message = str(exc).splitlines()[0] if str(exc) else "invalid TOML"
    match = _LOCATION_RE.match(message)
    if not match:
        return "%s: invalid TOML: %s" % (path, message)
    if match.group("line"):
        line, col = int(match.group("line")), int(match.group("col"))
    else:
        line, col = text.count("\n") + 1, len(text) - text.rfind("\n")
    return "%s: invalid TOML at line %d, column %d: %s" % (path, line, col, match.group("reason"))


def file_version(data, path):
    """The config schema a document declares: its `version` key, or 1 when there is none (containerd's rule)."""
    if "version" not in data:
        return 1
    version = data["version"]
    if isinstance(version, bool) or not isinstance(version, int) or version not in SUPPORTED_VERSIONS:
        raise ConfigError("%s: unsupported containerd config version %s (supported: %s)"
                          % (path, render(version), ", ".join(map(str, SUPPORTED_VERSIONS))))
    return version


def render(value):
    """A Python value as a one-line TOML value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return repr(value) if not math.isinf(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return '"%s"' % _CONTROL_RE.sub(lambda m: _CONTROL.get(m.group(), "\\u%04x" % ord(m.group())), escaped)
    if isinstance(value, list):
        return "[%s]" % ", ".join(render(v) for v in value)
    if isinstance(value, dict):
        return "{ %s }" % ", ".join("%s = %s" % (quote_key(k), render(v)) for k, v in value.items()) if value else "{}"
    return value.isoformat()


def quote_key(key):
    return key if BARE_KEY_RE.match(key) else render(key)


def _same(current, value):
    return type(current) is type(value) and current == value


def _type_name(value):
    return _TYPE_NAMES.get(type(value), "date")


def _pruned(value):
    """Data without empty tables (a table the patch created and removed again leaves none) and with NaN
    comparable to itself."""
    if isinstance(value, dict):
        pruned = ((k, _pruned(v)) for k, v in value.items())
        return {k: v for k, v in pruned if v != {}}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return value


def _get(data, path):
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _copy_path(root, path):
    """The table at `path` in `root`, copying the tables on the way so that shared data stays untouched."""
    current = root
    for key in path:
        child = current.get(key)
        current[key] = child = dict(child) if isinstance(child, dict) else {}
        current = child
    return current


@dataclass
class _Record:
    """One `added` or `was <value>` note of a marker; `key` is relative to the line's key (inline tables)."""
    key: tuple
    added: bool
    raw: str


class _Marker:
    """The lazypull.soci marker at the end of a line: where it is written and what it records."""

    def __init__(self, text, entry, path):
        self.start = self.end = -1
        self.records = []
        if entry.comment_start < 0:
            return
        match = _MARKER_RE.search(text, entry.comment_start, entry.content_end)
        if not match:
            return
        # Markers are written with one space before them: that space goes with the marker.
        self.start = match.start() - 1 if text[match.start() - 1] in " \t" else match.start()
        line = text[:entry.content_end]
        try:
            self.end = self._read(line, match.end(), entry.node is not None)
        except (ScanError, IndexError):
            raise ConfigError("%s: unreadable %s marker at line %d: %s"
                              % (path, MARKER, text.count("\n", 0, match.start()) + 1,
                                 text[match.start():entry.content_end].strip())) from None

    def _read(self, line, pos, inline):
        while True:
            key = ()
            if inline:
                match = KEY_RE.match(line, pos)
                if not match:
                    raise ScanError(pos)
                key, pos = key_parts(match.group()), _WS_RE.match(line, match.end()).end()
            if line.startswith("added", pos):
                self.records.append(_Record(key, True, ""))
                pos += len("added")
            elif line.startswith("was ", pos):
                start = pos + len("was ")
                pos = value_end(line, start)
                self.records.append(_Record(key, False, line[start:pos]))
            else:
                raise ScanError(pos)
            separator = _RECORD_SEPARATOR_RE.match(line, pos) if inline else None
            if not separator:
                return pos
            pos = separator.end()

    def __bool__(self):
        return self.start >= 0

    def covers(self, key):
        return any(key[:len(record.key)] == record.key for record in self.records)


class _Patch:
    """The edits of one run on one text, and what the patched data must be."""

    def __init__(self, text, path, data, tables, subtree):
        self.text, self.path, self.data = text, path, data
        # The tables the patch reads or writes, with all their parents; `subtree` is the table it may remove.
        self.relevant = frozenset(keys[:depth] for keys in tables for depth in range(len(keys) + 1))
        self.subtree = subtree
        try:
            self.doc = scan(text, self.relevant)
        except (ScanError, IndexError) as exc:
            offset = exc.args[0] if exc.args and isinstance(exc.args[0], int) else 0
            raise ConfigError("%s: cannot edit this file: unexpected text at line %d"
                              % (path, text.count("\n", 0, offset) + 1)) from None
        self.edits = []  # (start, end, whether it adds a [header], new text)
        self.sets = []  # (path, value) the result must hold
        self.deletes = []  # paths the result must not hold
        self.keys = []
        self.new_records = {}  # host Entry -> records to add to its marker
        self.removed = set()  # ids of the Entries this run removes

    # --- reading ------------------------------------------------------------------------------------------
    def table(self, keys):
        """The data of the table at `keys`, or None; ConfigError when something else is in the way."""
        current = self.data
        for depth, key in enumerate(keys):
            if key not in current:
                return None
            current = current[key]
            if not isinstance(current, dict):
                raise ConfigError("%s: %s is a %s, expected a table" % (self.path, toml_path(keys[:depth + 1]),
                                                                        _type_name(current)))
        return current

    def lost(self, keys):
        return ConfigError("%s: cannot find where %s is written; the file was not changed"
                           % (self.path, toml_path(keys)))

    def marker(self, entry):
        return _Marker(self.text, entry, self.path)

    def leaf(self, keys):
        item = self.doc.leaves.get(keys)
        if item is None:
            raise self.lost(keys)
        return item

    # --- editing ------------------------------------------------------------------------------------------
    def edit(self, start, end, new, header=False):
        # At one offset, lines that continue the statements before it go first: after a new [header],
        # they would land in that table.
        self.edits.append((start, end, header, new))

    def insert_lines(self, pos, lines, blank_before=False, blank_after=False):
        nl, text = self.doc.nl, self.text
        body = nl.join(lines)
        if pos == len(text) and text and not text.endswith("\n"):
            new = nl + (nl if blank_before else "") + body  # the file ends without a newline: so does the patch
        else:
            new = (nl if blank_before and pos > 0 else "") + body + nl + (nl if blank_after else "")
        self.edit(pos, pos, new, header=lines[0].lstrip(" \t").startswith("["))

    def remove_lines(self, start, end, blank=False):
        """Remove whole lines; with `blank`, also one blank line next to them (the one a header block brings)."""
        text = self.text
        if blank:
            before = text.rfind("\n", 0, start - 1) + 1 if start > 0 else 0
            after = text.find("\n", end)
            after = len(text) if after < 0 else after + 1
            if start > 0 and not text[before:start].strip():
                start = before
            elif end < len(text) and not text[end:after].strip():
                end = after
        self.edit(start, end, "")

    def remove_entry(self, entry):
        self.removed.add(id(entry))
        self.remove_lines(entry.start, entry.end)

    def add_comment(self, entry, note):
        pos = entry.content_end if entry.comment_start >= 0 else entry.value_end
        self.edit(pos, pos, " # %s: %s" % (MARKER, note))

    def insert_members(self, node, members):
        if node.items:
            self.edit(node.items[-1].value_end, node.items[-1].value_end, ", " + ", ".join(members))
        else:
            self.edit(node.open + 1, node.open + 1, " " + ", ".join(members))

    def remove_member(self, member):
        items = member.container.items
        index = items.index(member)
        if index > 0:
            self.edit(items[index - 1].value_end, member.value_end, "")
        elif len(items) > 1:
            self.edit(member.key_start, items[1].key_start, "")
        else:
            self.edit(member.container.open + 1, member.value_end, "")

    def result(self):
        for host, records in self.new_records.items():
            existing = self.marker(host)
            if existing:
                self.edit(existing.end, existing.end, "; " + "; ".join(records))
            else:
                self.add_comment(host, "; ".join(records))
        self.edits.sort(key=lambda e: e[:3])
        out = self.splice(0, len(self.text))
        if self.text and not self.text.endswith("\n") and out.endswith("\n"):
            out = out[:-2] if out.endswith("\r\n") else out[:-1]  # a file without a final newline stays so
        return out

    def splice(self, start, stop):
        """The text from `start` to `stop` with the edits that lie there applied (overlapping removals merge)."""
        out, pos, deleting = [], start, False
        for begin, end, dummy, new in self.edits:
            if begin < start or end > stop:
                continue
            if begin < pos:
                if not (deleting and not new):
                    raise ConfigError("%s: the patch would edit the same place twice; the file was not changed"
                                      % self.path)
                pos = max(pos, end)
                continue
            out.append(self.text[pos:begin])
            out.append(new)
            pos, deleting = end, not new and end > begin
        out.append(self.text[pos:stop])
        return "".join(out)

    # --- present ------------------------------------------------------------------------------------------
    def ensure(self, keys, values, marked):
        """Give the table at `keys` these values (a dict value is a sub-table), adding what is missing."""
        current = self.table(keys)
        if current is None:
            self.create(keys, dict(values), marked)
            return
        missing, tables = {}, []
        for key, value in values:
            path = keys + (key,)
            if isinstance(value, dict):
                tables.append((path, value))
            elif key not in current:
                missing[key] = value
            elif isinstance(current[key], dict):
                raise ConfigError("%s: %s is a table, expected a value" % (self.path, toml_path(path)))
            elif not _same(current[key], value):
                self.replace(path, value, marked)
        if missing:
            self.add(keys, missing, marked)
        for path, value in tables:
            self.ensure(path, list(value.items()), marked)

    def replace(self, path, value, marked):
        item = self.leaf(path)
        if marked:
            self.note_previous(item, path)
        self.edit(item.value_start, item.value_end, render(value))
        self.set(path, value)

    def set(self, path, value):
        self.sets.append((path, value))
        self.keys.append(toml_path(path))

    def note_previous(self, item, path):
        old = self.text[item.value_start:item.value_end]
        if "\n" in old:
            old = render(_get(self.data, path))  # a marker is one line
        host = item.host
        marker = self.marker(host)
        if host is item:
            if not marker:
                self.add_comment(host, "was " + old)
            return
        key = path[len(host.path):]
        if not marker.covers(key):
            self.new_records.setdefault(host, []).append("%s was %s" % (self.spell_relative(key), old))

    def note_added(self, host, path):
        """Record in the marker of `host`, the line that holds an inline table, that `path` is new there."""
        key = path[len(host.path):]
        if not self.marker(host).covers(key):
            self.new_records.setdefault(host, []).append("%s added" % self.spell_relative(key))

    @staticmethod
    def spell_relative(key):
        return ".".join(quote_key(k) for k in key)

    def add(self, keys, values, marked):
        """Add values to the existing table at `keys`, written the way that table is."""
        owner = self.doc.owner(keys)
        if owner is None:  # the table exists only through the headers of its sub-tables
            section = self.doc.implicit.get(keys)
            if section is None:
                raise self.lost(keys)
            self.insert_lines(section.lead, self.header_lines(keys, values, marked), blank_after=True)
        elif isinstance(owner[0], Section):
            self.add_lines(owner[0], owner[1], keys, values, marked)
        else:
            node, depth = owner
            prefix = raw_prefix(self.text, self.doc.dotted[keys][2], depth) + "." if depth else ""
            self.insert_members(node, ["%s%s = %s" % (prefix, quote_key(k), render(v)) for k, v in values.items()])
            if marked:
                for key in values:
                    self.note_added(node.host, keys + (key,))
        for key, value in _leaves(keys, values):
            self.set(key, value)

    def add_lines(self, section, depth, keys, values, marked, relative=()):
        if depth:
            last = self.doc.dotted[keys[:len(keys) - len(relative)]][2]
            prefix = raw_prefix(self.text, last, depth) + "."
        else:
            last, prefix = (section.items[-1] if section.items else None), ""
        prefix += "".join(quote_key(k) + "." for k in relative)
        indent = self.text[last.start:last.key_start] if last else self.indents(len(section.base))[1]
        note = " # %s: added" % MARKER if marked else ""
        lines = ["%s%s%s = %s%s" % (indent, prefix, self.spell_relative(key[len(keys):]), render(value), note)
                 for key, value in _leaves(keys, values)]
        self.insert_lines(last.end if last else section.end, lines)

    def create(self, keys, values, marked):
        """Create the missing table at `keys`, written the way its nearest existing parent is."""
        depth = 0
        while depth < len(keys) and keys[depth] in (self.table(keys[:depth]) or {}):
            depth += 1
        parent = keys[:depth]
        owner = self.doc.owner(parent) if parent else None
        if not parent:
            self.insert_lines(len(self.text), self.header_lines(keys, values, marked), blank_before=True)
        elif owner is None or isinstance(owner[0], Section) and owner[1] == 0:
            sections = self.doc.subtree_sections(parent)
            if not sections:
                raise self.lost(parent)
            self.insert_lines(sections[-1].body_end, self.header_lines(keys, values, marked), blank_before=True)
        elif isinstance(owner[0], Section):
            self.add_lines(owner[0], owner[1], keys, values, marked, relative=keys[depth:])
        else:
            node, node_depth = owner
            prefix = raw_prefix(self.text, self.doc.dotted[parent][2], node_depth) + "." if node_depth else ""
            nested = values
            for key in reversed(keys[depth + 1:]):
                nested = {key: nested}
            self.insert_members(node, ["%s%s = %s" % (prefix, quote_key(keys[depth]), render(nested))])
            if marked:
                self.note_added(node.host, keys[:depth + 1])
        for key, value in _leaves(keys, values):
            self.set(key, value)

    def header_lines(self, keys, values, marked):
        indent, key_indent = self.indents(len(keys))
        note = " # %s: added" % MARKER if marked else ""
        lines = ["%s[%s]%s" % (indent, self.spell(keys), note)]
        lines += ["%s%s = %s%s" % (key_indent, quote_key(k), render(v), note)
                  for k, v in values.items() if not isinstance(v, dict)]
        for key, value in values.items():
            if isinstance(value, dict):
                lines += [""] + self.header_lines(keys + (key,), value, marked)
        return lines

    def spell(self, keys):
        return ".".join(self.doc.spelling.get(keys[:i + 1]) or quote_key(keys[i]) for i in range(len(keys)))

    def indents(self, depth):
        """The indentation of headers of this depth and of their keys, as the file has them."""
        for section in self.doc.sections[1:]:
            if len(section.base) == depth:
                indent = self.text[section.start:self.text.index("[", section.start)]
                return indent, (self.text[section.items[0].start:section.items[0].key_start]
                                if section.items else indent)
        return "", ""

    # --- absent -------------------------------------------------------------------------------------------
    def restore(self, keys, snapshotter, restore_snapshotter):
        """Undo `ensure` on the CRI table: follow the markers, else reset a snapshotter that is ours."""
        current = self.table(keys)
        if current is None:
            return
        covered, hosts = set(), []
        for key in MANAGED_KEYS:
            if key not in current:
                continue
            item = self.leaf(keys + (key,))
            if item.host is not item:
                if item.host not in hosts:
                    hosts.append(item.host)
                continue
            marker = self.marker(item)
            if marker:
                self.undo(item, marker, keys + (key,))
                covered.add(keys + (key,))
        for host in hosts:
            marker = self.marker(host)
            for record in marker.records:
                self.undo_inline(host.path + record.key, record)
                covered.add(host.path + record.key)
            if marker:
                self.edit(marker.start, marker.end, "")
        path = keys + ("snapshotter",)
        if not any(path[:len(c)] == c for c in covered) and _same(current.get("snapshotter"), snapshotter):
            self.edit(self.leaf(path).value_start, self.leaf(path).value_end, render(restore_snapshotter))
            self.set(path, restore_snapshotter)
        self.drop_created_header(keys)

    def undo(self, entry, marker, path):
        record = marker.records[0]
        if record.added:
            self.remove_entry(entry)
            self.delete(path)
        else:
            self.edit(entry.value_start, entry.value_end, record.raw)
            self.edit(marker.start, marker.end, "")
            self.set(path, self.previous(record, path))

    def undo_inline(self, path, record):
        item = self.doc.leaves.get(path) or getattr(self.doc.inline.get(path), "item", None)
        if item is None:
            return  # already gone
        if record.added:
            self.remove_member(item)
            self.delete(path)
        else:
            self.edit(item.value_start, item.value_end, record.raw)
            self.set(path, self.previous(record, path))

    def previous(self, record, path):
        try:
            return tomllib.loads("v = " + record.raw)["v"]
        except tomllib.TOMLDecodeError:
            raise ConfigError("%s: %s has an unreadable %s marker: was %s"
                              % (self.path, toml_path(path), MARKER, record.raw)) from None

    def delete(self, path):
        self.deletes.append(path)
        self.keys.append(toml_path(path))

    def drop_created_header(self, keys):
        """A [table] header the patch created goes when the patch's keys were all it held."""
        section = self.doc.headers.get(keys)
        if section is None or not all(id(entry) in self.removed for entry in section.items):
            return
        marker = _Marker(self.text, _HeaderLine(section), self.path)
        if marker and any(record.added for record in marker.records):
            self.remove_lines(section.start, section.body_end, blank=True)

    def remove_table(self, keys):
        """Remove the table at `keys` wherever and however it is written."""
        if self.table(keys) is None:
            return
        size = len(keys)
        blocks = []
        for section in self.doc.sections:
            if section.base[:size] == keys and not section.is_root:
                if blocks and not self.text[blocks[-1][1]:section.start].strip():
                    blocks[-1][1] = section.body_end
                else:
                    blocks.append([section.start, section.body_end])
                continue
            for entry in section.items:
                path = section.base + entry.key
                if path[:size] == keys:
                    self.remove_entry(entry)
                elif entry.node is not None and keys[:len(path)] == path:
                    self.remove_members(entry.node, keys)
        for start, end in blocks:
            self.remove_lines(start, end, blank=True)
        self.delete(keys)

    def remove_members(self, node, keys):
        for member in node.items:
            path = member.path
            if path[:len(keys)] == keys:
                self.remove_member(member)
            elif member.node is not None and keys[:len(path)] == path:
                self.remove_members(member.node, keys)

    # --- the check ----------------------------------------------------------------------------------------
    def verify(self):
        """The patched text must parse to the original data plus exactly the intended changes.

        tomllib parses again the parts of the file the patch can affect, before and after the edits: the root
        and the sections of the tables the patch works on, with the statements that hold their keys or make
        them tables, every edited statement, and the last statement of each edited section (a misplaced
        [header] would carry it into another table). The other statements are byte for byte the same and
        belong to other tables; parsing them twice more would double the time on large files.
        """
        ranges = self.check_ranges()
        try:
            before = tomllib.loads("".join(self.text[start:stop] for start, stop in ranges))
        except tomllib.TOMLDecodeError:
            raise ConfigError("%s: cannot check the patch on this file; the file was not changed" % self.path) from None
        try:
            after = tomllib.loads("".join(self.splice(start, stop) for start, stop in ranges))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError("%s: the patched file would not be valid TOML (%s); the file was not changed"
                              % (self.path, str(exc).splitlines()[0])) from None
        expected = dict(before)
        for path, value in self.sets:
            _copy_path(expected, path[:-1])[path[-1]] = value
        for path in self.deletes:
            _copy_path(expected, path[:-1]).pop(path[-1], None)
        wrong = [toml_path(path) for path, value in self.sets if not _same(_get(after, path), value)]
        if not wrong and (after == expected or _pruned(after) == _pruned(expected)):
            return
        if not wrong:
            wrong = [k for k in sorted(set(after) | set(expected)) if _pruned(after.get(k)) != _pruned(expected.get(k))]
        raise ConfigError("%s: the patch would also change %s, which it must not touch; the file was not changed "
                          "(please report this file)" % (self.path, ", ".join(wrong)))

    def check_ranges(self):
        """The spans of the original text that verify() parses, merged, in order."""
        doc, text = self.doc, self.text
        ranges = [(start, stop) for start, stop, dummy, new in self.edits]
        points = sorted(start for start, stop, dummy, new in self.edits)
        stops = [section.start for section in doc.sections[1:]] + [len(text)]
        for section, stop in zip(doc.sections, stops):
            edited = bisect.bisect_left(points, section.start) < bisect.bisect_right(points, stop)
            related = section.base in self.relevant or section.base[:len(self.subtree)] == self.subtree
            if not (related or edited):
                continue
            if not section.is_root:
                ranges.append((section.start, section.end))
            if section.items:
                ranges.append((section.items[-1].start, section.items[-1].end))
            if related and not section.array:
                made = set()
                ranges += [(entry.start, entry.end) for entry in section.items if self.involved(entry, made)]
        ranges.sort()
        merged = [list(ranges[0])]
        for start, stop in ranges[1:]:
            if start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], stop)
            else:
                merged.append([start, stop])
        return merged

    def involved(self, entry, made):
        """Whether a statement of a related section bears on the patch: it holds a key of one of the tables
        involved, lies under the table the patch may remove, or is the first to make one of them a table."""
        path = entry.path
        if path[:-1] in self.relevant or path in self.relevant or path[:len(self.subtree)] == self.subtree:
            return True
        first = False
        for depth in range(len(entry.container.base) + 1, len(path)):
            if path[:depth] not in self.relevant:
                break
            if path[:depth] not in made:
                made.add(path[:depth])
                first = True
        return first


class _HeaderLine:
    """A header line seen as an Entry, for reading its marker."""

    def __init__(self, section):
        self.comment_start = section.comment_start
        self.content_end = section.content_end
        self.node = None


def _newline(text):
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def _leaves(keys, values):
    for key, value in values.items():
        if isinstance(value, dict):
            yield from _leaves(keys + (key,), value)
        else:
            yield keys + (key,), value


def patch(text, path, state="present", snapshotter="soci",
          address="/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock",
          root="/var/lib/soci-snapshotter-grpc", config_version="auto",
          disable_snapshot_annotations=False, discard_unpacked_layers=None, restore_snapshotter="overlayfs"):
    """Return a PatchResult for `text`, the current content of the containerd config at `path`."""
    original = text
    data = parse(text, path)
    declared = "version" in data
    version = file_version(data, path)
    if config_version not in (None, "auto"):
        wanted = int(config_version)
        if wanted not in SUPPORTED_VERSIONS:
            raise ConfigError("config_version=%s is not one of %s" % (config_version, SUPPORTED_VERSIONS))
        if not declared and wanted != 1 and "plugins" not in data:
            # A file without plugin settings is schema-neutral: declare the requested schema.
            text = "version = %d%s%s" % (wanted, _newline(text), text)
            data = dict(data, version=wanted)
            version = wanted
        elif wanted != version:
            raise ConfigError("%s: the file is containerd config version %d but config_version=%d was requested; "
                              "migrate it with `containerd config migrate` first" % (path, version, wanted))

    table_keys = CRI_IMAGES_TABLE[version]
    plugin_keys = ("proxy_plugins", snapshotter)
    edit = _Patch(text, path, data, (table_keys, plugin_keys + ("exports",)), plugin_keys)
    if state == "present":
        values = [("snapshotter", snapshotter)]
        if disable_snapshot_annotations is not None:
            values.append(("disable_snapshot_annotations", bool(disable_snapshot_annotations)))
        if discard_unpacked_layers is not None:
            values.append(("discard_unpacked_layers", bool(discard_unpacked_layers)))
        edit.ensure(table_keys, values, marked=True)
        plugin = [("type", "snapshot"), ("address", address)]
        if root:
            plugin.append(("exports", {"root": root}))
        edit.ensure(plugin_keys, plugin, marked=False)
    else:
        edit.restore(table_keys, snapshotter, restore_snapshotter)
        edit.remove_table(plugin_keys)

    new_text = original
    if edit.keys:
        new_text = edit.result()
        edit.verify()
    return PatchResult(text=new_text, changed=new_text != original, config_version=version,
                       cri_table=toml_path(table_keys), keys=edit.keys)


def effective_problem(dump, path, state, snapshotter, address, file_schema):
    """Read `containerd config dump` output for the patched file; say why it does not do what was asked.

    containerd accepts some files it then partly ignores: containerd 2.x drops the CRI section of a version 1
    file, containerd 1.6 reads a version 3 file as version 2, and on 1.x a file in `imports` replaces whole
    plugin sections. Returns None when the effective configuration is right, or when `dump` is not a
    containerd config dump (the validate command was something else).
    """
    try:
        effective = tomllib.loads(dump)
    except tomllib.TOMLDecodeError:
        return None
    if "version" not in effective or "plugins" not in effective:
        return None
    keys = CRI_IMAGES_TABLE.get(effective["version"], CRI_IMAGES_TABLE[2])
    cri = effective
    for key in keys:
        cri = cri.get(key, {}) if isinstance(cri, dict) else {}
    active = cri.get("snapshotter", "")
    proxy = effective.get("proxy_plugins", {}).get(snapshotter)
    if state == "absent":
        if active == snapshotter or proxy is not None:
            return "%s: containerd still uses the %s snapshotter after the change (effective snapshotter %r)" % (
                path, snapshotter, active)
        return None
    if active == snapshotter and proxy and proxy.get("address") == address:
        return None
    if file_schema == 1 and effective["version"] >= 3:
        hint = "containerd 2.x ignores the CRI section of a version 1 file; migrate it to version 3"
    elif file_schema == 2 and effective["version"] >= 3:
        hint = ("containerd 2.x did not carry these version 2 settings over when it migrated the file "
                "(containerd/containerd#10120); migrate it with `containerd config migrate` and patch the result")
    elif file_schema and file_schema > effective["version"]:
        hint = "the file is config version %d but this containerd reads at most version %d" % (
            file_schema, effective["version"])
    elif effective.get("imports"):
        hint = "a file in imports (%s) overrides the CRI section; patch that file too" % ", ".join(
            effective["imports"])
    else:
        hint = "check the file for a second definition of these settings"
    return "%s: containerd accepts the patched file but its effective snapshotter is %r%s (%s); the file was not changed" % (
        path, active, "" if proxy else " and no %s proxy plugin is registered" % snapshotter, hint)

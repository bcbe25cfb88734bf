# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Where things are written in a TOML document: the spans of table headers, keys, values and comments.

The scanner is for editing a file in place. It expects valid TOML (check the text with tomllib first) and
raises ScanError on anything it does not understand. One pass, regular expressions per line: the time is
linear in the size of the file whatever its spelling.
"""

from __future__ import annotations

import re

_BARE = r"[A-Za-z0-9_-]+"
_BASIC = r'"(?:[^"\\\r\n]|\\.)*"'
_LITERAL = r"'[^'\r\n]*'"
_PART = r"(?:%s|%s|%s)" % (_BARE, _BASIC, _LITERAL)
_KEY = r"%s(?:[ \t]*\.[ \t]*%s)*" % (_PART, _PART)
# Values that fit on one line without brackets: strings (not multi-line), numbers, booleans, dates.
_SCALAR = (r'''(?:"(?!"")(?:[^"\\\r\n]|\\.)*"|'(?!'')[^'\r\n]*'|'''
           r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:[0-9:.+\-Zz]*|[0-9A-Za-z_+\-.:]+)")
_END = r"[ \t]*(#[^\r\n]*)?(\r?\n|\Z)"

PART_RE = re.compile(_PART)
KEY_RE = re.compile(_KEY)
BARE_KEY_RE = re.compile(r"%s\Z" % _BARE)
_SIMPLE_RE = re.compile(r"([ \t]*)(%s)[ \t]*=[ \t]*(%s)%s" % (_KEY, _SCALAR, _END))
_BLANK_RE = re.compile(r"[ \t]*(#[^\r\n]*)?(?:\r?\n|\Z)")
_HEADER_RE = re.compile(r"([ \t]*)(\[\[?)[ \t]*(%s)[ \t]*\]\]?%s" % (_KEY, _END))
_KEY_EQ_RE = re.compile(r"([ \t]*)(%s)[ \t]*=[ \t]*" % _KEY)
_END_RE = re.compile(_END)
_WS_RE = re.compile(r"[ \t]*")
# Inside arrays: whitespace, newlines and comments. Inline tables get the same leniency (TOML 1.1).
_FILL_RE = re.compile(r"(?:[ \t\r\n]+|#[^\r\n]*)*")
_ML_BASIC_RE = re.compile(r'"""(?:[^"\\]|\\[\s\S]|""?(?!"))*"""(?:""?)?')
_ML_LITERAL_RE = re.compile(r"'''(?:[^']|''?(?!'))*'''(?:''?)?")
_BASIC_RE = re.compile(_BASIC)
_LITERAL_RE = re.compile(_LITERAL)
_BARE_VALUE_RE = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:[0-9:.+\-Zz]*|[0-9A-Za-z_+\-.:]+")
_PLAIN_RE = re.compile(r"""[^"'\[\]{}#]*""")
_COMMENT_RE = re.compile(r"#[^\r\n]*")
_QUOTED_PARTS_RE = re.compile(r"""[ \t]*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))[ \t]*\.?""")
_ESCAPE_RE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", "e": "\x1b", '"': '"', "\\": "\\"}


class ScanError(Exception):
    """The scanner met text it does not expect (its argument: the offset)."""


class Item:
    """A key = value pair; `key` is relative to its container, `value_*` are offsets in the text."""

    __slots__ = ("container", "key", "key_start", "key_end", "value_start", "value_end", "node")

    def __init__(self, container, key, key_start, key_end, value_start, value_end, node):
        self.container = container
        self.key = key
        self.key_start = key_start
        self.key_end = key_end
        self.value_start = value_start
        self.value_end = value_end
        self.node = node

    @property
    def path(self):
        return self.container.base + self.key


class Entry(Item):
    """A key = value statement of the file: its lines run from `start` to `end` (after the newline)."""

    __slots__ = ("start", "content_end", "end", "comment_start")

    def __init__(self, container, key, key_start, key_end, value_start, value_end, start, comment_start,
                 content_end, end):  # pylint: disable=super-init-not-called
        # Assigned here rather than through Item.__init__: one call less for each line of a large file.
        self.container = container
        self.key = key
        self.key_start = key_start
        self.key_end = key_end
        self.value_start = value_start
        self.value_end = value_end
        self.node = None
        self.start = start
        self.comment_start = comment_start
        self.content_end = content_end
        self.end = end

    @property
    def host(self):
        return self


class Member(Item):
    """A key = value pair inside an inline table."""

    __slots__ = ()

    @property
    def host(self):
        return self.container.host


class Section:
    """The root of the document or a [table] / [[array]] header with the statements that follow it."""

    __slots__ = ("base", "items", "array", "lead", "start", "comment_start", "content_end", "end")

    def __init__(self, base, array=False, start=0, comment_start=-1, content_end=0, end=0):
        self.base = base
        self.items = []
        self.array = array
        self.lead = start  # where the comment lines right above the header begin
        self.start = start
        self.comment_start = comment_start
        self.content_end = content_end
        self.end = end

    @property
    def is_root(self):
        return self.end == 0

    @property
    def body_end(self):
        """Where the header's statements end: after its last statement, else after the header line."""
        return self.items[-1].end if self.items else self.end


class Node:
    """An inline table: `open` and `close` are the offsets of its braces."""

    __slots__ = ("base", "items", "open", "close", "host", "item")

    def __init__(self, base, open_, host):
        self.base = base
        self.items = []
        self.open = open_
        self.close = open_
        self.host = host
        self.item = None


class Document:
    """The scanned text, with indexes from table and key paths to where they are written.

    Only the tables in `relevant` (a set closed under prefixes; None for all) and their direct keys are
    indexed, and only their inline tables are taken apart: the rest of the file is only stepped over.
    """

    def __init__(self, text, relevant=None):
        self.text = text
        first = text.find("\n")
        self.nl = "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"
        self.relevant = relevant
        self.root = Section(())
        self.sections = [self.root]
        self.headers = {}  # path -> Section of its [header]
        self.inline = {}  # path -> Node of its inline table
        self.dotted = {}  # path -> (container, prefix length, last item) for tables made by dotted keys
        self.implicit = {}  # path -> first Section whose header path extends it
        self.leaves = {}  # path -> Item holding a value that is not an inline table
        self.spelling = {}  # path -> raw text of its last key part, as first written in a header

    def wanted(self, path):
        return self.relevant is None or path in self.relevant

    def owner(self, path):
        """(container, prefix length) where the direct keys of the table at `path` are written, or None."""
        if not path:
            return self.root, 0
        if path in self.headers:
            return self.headers[path], 0
        if path in self.inline:
            return self.inline[path], 0
        if path in self.dotted:
            container, depth, dummy = self.dotted[path]
            return container, depth
        return None

    def subtree_sections(self, path):
        size = len(path)
        return [s for s in self.sections[1:] if s.base[:size] == path]

    # --- building ---------------------------------------------------------------------------------------
    def _add_section(self, match):
        raw_parts = _raw_parts(match.group(3))
        base = tuple(unquote(part) for part in raw_parts)
        array = match.group(2) == "[["
        comment_start = match.start(4) if match.group(4) is not None else -1
        section = Section(base, array, match.start(), comment_start, match.start(5), match.end())
        self.sections.append(section)
        for depth in range(1, len(base) + 1):
            path = base[:depth]
            if not self.wanted(path):
                break
            self.spelling.setdefault(path, raw_parts[depth - 1])
            if depth < len(base):
                self.implicit.setdefault(path, section)
            elif not array:
                self.headers[path] = section
        return section

    def _index(self, container, item):
        base, key = container.base, item.key
        for depth in range(1, len(key)):
            path = base + key[:depth]
            if not self.wanted(path):
                return
            self.dotted[path] = (container, depth, item)
        if item.node is not None:
            item.node.item = item
            self.inline[base + key] = item.node
            for member in item.node.items:
                self._index(item.node, member)
        else:
            self.leaves[base + key] = item


def unquote(part):
    if part[0] == '"':
        body = part[1:-1]
        return _ESCAPE_RE.sub(_unescape, body) if "\\" in body else body
    if part[0] == "'":
        return part[1:-1]
    return part


def _unescape(match):
    code = match.group(1) or match.group(2)
    return chr(int(code, 16)) if code else _ESCAPES.get(match.group(3), match.group(3))


def key_parts(text):
    if '"' not in text and "'" not in text:
        return tuple(part.strip(" \t") for part in text.split("."))
    if "\\" not in text:
        return tuple(a or b or c for a, b, c in _QUOTED_PARTS_RE.findall(text))
    return tuple(unquote(m.group()) for m in PART_RE.finditer(text))


def _raw_parts(text):
    if '"' not in text and "'" not in text:
        return [part.strip(" \t") for part in text.split(".")]
    return [m.group() for m in PART_RE.finditer(text)]


def raw_prefix(text, item, depth):
    """The key of `item` as written, up to and including its `depth`-th part."""
    parts = list(PART_RE.finditer(text, item.key_start, item.key_end))
    return text[item.key_start:parts[depth - 1].end()]


def scan(text, relevant=None):
    """Scan `text`, which must be valid TOML, into a Document (see there for `relevant`)."""
    doc = Document(text, relevant)
    section, indexed = doc.root, True
    pos, size = 0, len(text)
    simple, blank, header = _SIMPLE_RE.match, _BLANK_RE.match, _HEADER_RE.match
    lead = -1
    while pos < size:
        match = simple(text, pos)
        if match:
            comment = match.start(4) if match.group(4) is not None else -1
            entry = Entry(section, key_parts(match.group(2)), match.start(2), match.end(2), match.start(3),
                          match.end(3), pos, comment, match.start(5), match.end())
        else:
            match = blank(text, pos)
            if match and match.end() > pos:
                lead = (pos if lead < 0 else lead) if match.group(1) is not None else -1
                pos = match.end()
                continue
            match = header(text, pos)
            if match:
                section = doc._add_section(match)
                section.lead = pos if lead < 0 else lead
                # tables inside arrays of tables are never patched
                indexed = not section.array and doc.wanted(section.base)
                lead = -1
                pos = match.end()
                continue
            entry = _complex_entry(doc, text, pos, section, indexed)
        section.items.append(entry)
        if indexed:
            doc._index(section, entry)
        pos = entry.end
        lead = -1
    return doc


def _complex_entry(doc, text, pos, section, indexed):
    match = _KEY_EQ_RE.match(text, pos)
    if not match:
        raise ScanError(pos)
    key = key_parts(match.group(2))
    entry = Entry(section, key, match.start(2), match.end(2), match.end(), 0, pos, -1, 0, 0)
    path = section.base + key
    if indexed and text[match.end():match.end() + 1] == "{" and doc.wanted(path):
        entry.value_end, entry.node = _inline_table(doc, text, match.end(), path, entry)
    else:
        entry.value_end = value_end(text, match.end())
    end = _END_RE.match(text, entry.value_end)
    if not end:
        raise ScanError(entry.value_end)
    entry.comment_start = end.start(1) if end.group(1) is not None else -1
    entry.content_end, entry.end = end.start(2), end.end()
    return entry


def value_end(text, pos):
    """The offset after the value at `pos`."""
    char = text[pos:pos + 1]
    if char in ("{", "["):
        return _skip_brackets(text, pos)
    if char == '"':
        match = (_ML_BASIC_RE if text.startswith('"""', pos) else _BASIC_RE).match(text, pos)
    elif char == "'":
        match = (_ML_LITERAL_RE if text.startswith("'''", pos) else _LITERAL_RE).match(text, pos)
    else:
        match = _BARE_VALUE_RE.match(text, pos)
    if not match:
        raise ScanError(pos)
    return match.end()


def _skip_brackets(text, pos):
    """The offset after the array or inline table at `pos`, stepping over strings and comments."""
    depth = 0
    while True:
        pos = _PLAIN_RE.match(text, pos).end()
        char = text[pos:pos + 1]
        if char in ("[", "{"):
            depth += 1
            pos += 1
        elif char in ("]", "}"):
            depth -= 1
            pos += 1
            if not depth:
                return pos
        elif char == "#":
            pos = _COMMENT_RE.match(text, pos).end()
        elif char in ('"', "'"):
            pos = value_end(text, pos)
        else:
            raise ScanError(pos)


def _inline_table(doc, text, pos, base, host):
    node = Node(base, pos, host)
    pos = _FILL_RE.match(text, pos + 1).end()
    while text[pos:pos + 1] != "}":
        match = KEY_RE.match(text, pos)
        if not match:
            raise ScanError(pos)
        key = key_parts(match.group())
        pos = _WS_RE.match(text, match.end()).end()
        if text[pos:pos + 1] != "=":
            raise ScanError(pos)
        start = _WS_RE.match(text, pos + 1).end()
        child = None
        if text[start:start + 1] == "{" and doc.wanted(base + key):
            end, child = _inline_table(doc, text, start, base + key, host)
        else:
            end = value_end(text, start)
        node.items.append(Member(node, key, match.start(), match.end(), start, end, child))
        pos = _FILL_RE.match(text, end).end()
        if text[pos:pos + 1] == ",":
            pos = _FILL_RE.match(text, pos + 1).end()
        elif text[pos:pos + 1] != "}":
            raise ScanError(pos)
    node.close = pos
    return pos + 1, node

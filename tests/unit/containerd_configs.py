# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""containerd config files for the tests: a model of what nodes hold (schema 2 for containerd 1.x, schema 3
for 2.x), a Hypothesis strategy that writes it in the spellings TOML allows (nested, dotted and inline
tables, mixed; any table order; indentation; comments everywhere; CRLF; quoting), and large files for timing."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from hypothesis import strategies as st

from ansible_collections.lazypull.soci.tests.unit.containerd_checks import ROOT, SOCK

COMMENTS = ("# kept by hand", "#", "# [plugins.\"not.a.table\"]", "# snapshotter = \"overlayfs\"", "#\tafter a tab",
            "# ünïcode ✓", "# trailing ## hashes #", "#key = 'value'")
STYLES = ("header", "dotted", "inline")
ORDERS = ("nested", "children-first", "appended", "shuffled")
_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass
class Case:
    schema: int
    text: str
    soci: bool  # the file already mentions the soci snapshotter or proxy plugin
    description: str


def runtime(index, binary="/usr/bin/runc"):
    return {"runtime_type": "io.containerd.runc.v2", "privileged_without_host_devices": False,
            "options": {"BinaryName": binary if index == 0 else "%s-%d" % (binary, index), "SystemdCgroup": True}}


def _runtimes(count):
    return {("runc" if i == 0 else "r%d" % i): runtime(i) for i in range(count)}


@st.composite
def models(draw, schema):
    """The data of a config: root keys, plugin sections, proxy plugins; each optional part drawn."""
    flag = st.booleans()
    tree = {"version": schema}
    for key, value in (("root", "/var/lib/containerd"), ("state", "/run/containerd"), ("oom_score", -999),
                       ("imports", ["/nonexistent/conf.d/*.toml", "/nonexistent/99-*.toml"])):
        if draw(flag):
            tree[key] = value
    if draw(flag):
        tree["grpc"] = {"address": "/run/containerd/containerd.sock", "max_recv_message_size": 16777216}
    if draw(flag):
        tree["debug"] = {"level": "info"}
    cri, runtimes = {}, {}
    snapshotter = draw(st.sampled_from((None, "overlayfs", "native", "stargz", "soci")))
    if snapshotter:
        cri["snapshotter"] = snapshotter
    for key in ("disable_snapshot_annotations", "discard_unpacked_layers"):
        if draw(flag):
            cri[key] = draw(flag)
    # About one file in six is large: up to 600 runtimes, some 4,000 lines.
    count = draw(st.sampled_from((0, 1, 2, 3))) + draw(st.sampled_from((0,) * 16 + (30, 150, 600)))
    if count:
        runtimes = {"default_runtime_name": "runc", "runtimes": _runtimes(count)}
    plugins = _schema2(draw, cri, runtimes) if schema == 2 else _schema3(draw, cri, runtimes)
    if draw(flag):
        plugins["io.containerd.gc.v1.scheduler"] = {"pause_threshold": 0.02, "deletion_threshold": 0}
    if plugins or draw(flag):
        tree["plugins"] = plugins
    proxies = _proxy_plugins(draw)
    if proxies is not None:
        tree["proxy_plugins"] = proxies
    if draw(flag):
        tree["timeouts"] = {"io.containerd.timeout.shim.cleanup": "5s"}
    return tree, snapshotter == "soci" or "soci" in (proxies or {})


def _schema2(draw, cri, runtimes):
    section = {}
    if draw(st.booleans()):
        section["sandbox_image"] = "registry.k8s.io/pause:3.10"
    containerd = dict(cri, **runtimes)
    if containerd or draw(st.booleans()):
        section["containerd"] = containerd
    if draw(st.booleans()):
        section["registry"] = {"config_path": "/etc/containerd/certs.d:/etc/docker/certs.d"}
    if draw(st.booleans()):
        section["cni"] = {"bin_dir": "/opt/cni/bin", "conf_dir": "/etc/cni/net.d"}
    return {"io.containerd.grpc.v1.cri": section} if section or draw(st.booleans()) else {}


def _schema3(draw, cri, runtimes):
    plugins = {}
    images = dict(cri)
    if draw(st.booleans()):
        images["pinned_images"] = {"sandbox": "registry.k8s.io/pause:3.10"}
    if draw(st.booleans()):
        images["registry"] = {"config_path": "/etc/containerd/certs.d:/etc/docker/certs.d"}
    if images or draw(st.booleans()):
        plugins["io.containerd.cri.v1.images"] = images
    runtime_section = {}
    if draw(st.booleans()):
        runtime_section["enable_cdi"] = True
    if runtimes:
        runtime_section["containerd"] = runtimes
    if draw(st.booleans()):
        runtime_section["cni"] = {"bin_dir": "/opt/cni/bin", "conf_dir": "/etc/cni/net.d"}
    if runtime_section:
        plugins["io.containerd.cri.v1.runtime"] = runtime_section
    if draw(st.booleans()):
        plugins["io.containerd.grpc.v1.cri"] = {"stream_server_address": "127.0.0.1"}
    return plugins


def _proxy_plugins(draw):
    proxies = {}
    if draw(st.booleans()):
        proxies["stargz"] = {"type": "snapshot", "address": "/run/containerd-stargz-grpc/containerd-stargz-grpc.sock"}
    if draw(st.booleans()):
        proxies["nydus"] = {"type": "snapshot", "address": "/run/containerd-nydus/containerd-nydus-grpc.sock",
                            "exports": {"root": "/var/lib/containerd-nydus"}}
    soci = draw(st.sampled_from((None, None, None, "same", "other", "partial")))
    if soci == "same":
        proxies["soci"] = {"type": "snapshot", "address": SOCK, "exports": {"root": ROOT}}
    elif soci == "other":
        proxies["soci"] = {"type": "snapshot", "address": "/run/other/soci.sock"}
    elif soci == "partial":
        proxies["soci"] = {"type": "snapshot", "address": SOCK}
    if proxies or draw(st.booleans()):
        return proxies
    return None


@st.composite
def configs(draw, schema):
    """A Case: a config of `schema`, written with drawn spelling choices."""
    tree, soci = draw(models(schema))
    styles = {}
    _draw_styles(draw, tree, (), "header", styles)
    features = {name: draw(st.booleans()) for name in
                ("comments", "indent", "shuffle_keys", "quoting", "fancy_values", "blank_lines", "final_newline")}
    features["newline"] = draw(st.sampled_from(("\n", "\r\n", "mixed")))
    features["order"] = draw(st.sampled_from(ORDERS))
    seed = draw(st.integers(0, 2 ** 16))
    text = Writer(random.Random(seed), features).write(tree, styles)
    description = "schema %d, %s" % (schema, ", ".join(
        "%s=%r" % (k, v) for k, v in sorted(features.items()) if v and v != "\n"))
    return Case(schema, text, soci, description)


def _draw_styles(draw, node, path, parent_style, styles, rnd=None):
    for key, value in node.items():
        if not isinstance(value, dict):
            continue
        child = path + (key,)
        if parent_style == "inline":
            style = "inline"
        elif rnd is not None:
            style = rnd.choice(STYLES)
        else:
            style = draw(st.sampled_from(STYLES))
        styles[child] = style
        bulk = key == "runtimes" and len(value) > 3
        if bulk and rnd is None:
            rnd = random.Random(draw(st.integers(0, 2 ** 16)))
            _draw_styles(draw, value, child, style, styles, rnd)
            rnd = None
        else:
            _draw_styles(draw, value, child, style, styles, rnd)


class Writer:
    """Writes a model as TOML text, with the spelling choices of `features` and details from `rnd`."""

    def __init__(self, rnd, features):
        self.rnd = rnd
        self.features = features

    def write(self, tree, styles):
        sections, order = {(): []}, []
        self._place(tree, (), (), styles, sections, order)
        order = self._order(order)
        chunks = [self._section((), sections[()])] + [self._section(path, sections[path]) for path in order]
        lines = [line for chunk in chunks for line in chunk]
        if self.features["comments"] and self.rnd.random() < 0.5:
            lines.append(self._comment())
        return self._join(lines)

    def _place(self, node, path, host, styles, sections, order):
        for key, value in node.items():
            child = path + (key,)
            if not isinstance(value, dict):
                sections[host].append((child[len(host):], value))
            elif styles[child] == "inline":
                sections[host].append((child[len(host):], _Inline(value)))
            elif styles[child] == "header":
                sections[child] = []
                order.append(child)
                self._place(value, child, child, styles, sections, order)
            else:
                self._place(value, child, host, styles, sections, order)

    def _order(self, order):
        kind = self.features["order"]
        if kind == "children-first":
            return order[::-1]
        if kind == "shuffled":
            order = list(order)
            self.rnd.shuffle(order)
            return order
        if kind == "appended":
            moved = [path for path in order if self.rnd.random() < 0.3]
            return [path for path in order if path not in moved] + moved
        return order

    def _section(self, path, items):
        lines = []
        depth = len(path)
        if path:
            if self.features["blank_lines"] and self.rnd.random() < 0.5 or not self.features["blank_lines"]:
                lines.append("")
            lines += self._maybe_comment(depth - 1)
            lines.append(self._indent(depth - 1) + "[" + self._key(path) + "]" + self._trailing())
        items = list(items)
        if self.features["shuffle_keys"]:
            self.rnd.shuffle(items)
        for key, value in items:
            lines += self._maybe_comment(depth)
            if self.features["blank_lines"] and self.rnd.random() < 0.2:
                lines.append(self._indent(depth) if self.rnd.random() < 0.3 else "")
            lines.append(self._indent(depth) + self._key(key) + self._equals() + self._value(value)
                         + self._trailing())
        return lines

    # --- spelling ---------------------------------------------------------------------------------------
    def _indent(self, depth):
        if not self.features["indent"]:
            return ""
        return self.rnd.choice(("  " * depth, "  " * depth, "\t" * depth, " ", "    "))

    def _equals(self):
        return self.rnd.choice((" = ", "=", "  =  ", " =\t")) if self.features["quoting"] else " = "

    def _key(self, parts):
        dot = self.rnd.choice((".", " . ", ".")) if self.features["quoting"] else "."
        return dot.join(self._part(part) for part in parts)

    def _part(self, name):
        bare = _BARE.match(name)
        if bare and not (self.features["quoting"] and self.rnd.random() < 0.3):
            return name
        if self.features["quoting"] and self.rnd.random() < 0.5:
            return "'%s'" % name
        return '"%s"' % name

    def _value(self, value):
        if isinstance(value, _Inline):
            return self._inline(value.table)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return "{:_}".format(value) if self.features["fancy_values"] and self.rnd.random() < 0.3 else str(value)
        if isinstance(value, float):
            return repr(value)
        if isinstance(value, list):
            return self._array(value)
        return self._string(value)

    def _string(self, value):
        if not self.features["fancy_values"]:
            return '"%s"' % value
        return self.rnd.choice(('"%s"' % value, "'%s'" % value, '"""%s"""' % value, "'''%s'''" % value,
                                '"%s"' % value.replace("/", "\\u002F")))

    def _array(self, values):
        if not self.features["fancy_values"]:
            return "[%s]" % ", ".join(self._string(v) for v in values)
        comment = (lambda: " " + self._comment()) if self.features["comments"] else (lambda: "")
        return "[%s\n]" % "".join("\n  %s,%s" % (self._string(v), comment()) for v in values)

    def _inline(self, table):
        members = []
        for key, value in table.items():
            if isinstance(value, dict) and value and self.features["fancy_values"] and self.rnd.random() < 0.3:
                members += ["%s.%s = %s" % (self._part(key), self._part(k), self._value(_wrap(v)))
                            for k, v in value.items()]
            else:
                members.append("%s = %s" % (self._part(key), self._value(_wrap(value))))
        if not members:
            return self.rnd.choice(("{}", "{ }"))
        return "{ %s }" % ", ".join(members)

    def _maybe_comment(self, depth):
        if self.features["comments"] and self.rnd.random() < 0.3:
            return [self._indent(depth) + self._comment()]
        return []

    def _comment(self):
        return self.rnd.choice(COMMENTS)

    def _trailing(self):
        if self.features["comments"] and self.rnd.random() < 0.3:
            return self.rnd.choice((" ", "  ", "\t", "")) + self._comment()
        return ""

    def _join(self, lines):
        newline = self.features["newline"]
        if newline == "mixed":
            text = "".join(line + self.rnd.choice(("\n", "\r\n")) for line in lines)
        else:
            text = "".join(line.replace("\n", newline) + newline for line in lines)
        if not self.features["final_newline"]:
            text = text.rstrip("\r\n")
        return text.lstrip("\r\n") if text.startswith(("\n", "\r\n")) else text


class _Inline:
    def __init__(self, table):
        self.table = table


def _wrap(value):
    return _Inline(value) if isinstance(value, dict) else value


# --- large files for timing ----------------------------------------------------------------------------
def large_config(lines, spelling):
    """A schema 2 config of about `lines` lines, mostly runtimes, in one spelling:
    nested (headers, indented), dotted (dotted keys under [plugins]), root-dotted (dotted keys at the root),
    appended (sub-tables first, the CRI table and proxy plugins last), inline (a runtime per line), or
    mixed (all of those, with comments and CRLF)."""
    out, index = [], 0
    head = {"nested": ["version = 2", 'root = "/var/lib/containerd"', ""],
            "dotted": ["version = 2", "[plugins]"],
            "root-dotted": [],
            "appended": [],
            "inline": ["version = 2", '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes]'],
            "mixed": ["# a large config, every spelling", "version = 2", ""]}[spelling]
    out += head
    cri = 'plugins."io.containerd.grpc.v1.cri"'
    while len(out) < lines - 8:
        name = "r%d" % index
        binary = '"/usr/bin/runc-%d"' % index
        kind = spelling if spelling != "mixed" else ("nested", "dotted-here", "inline-here")[index % 3]
        if kind in ("nested", "appended"):
            out += ["[%s.containerd.runtimes.%s]" % (cri, name), '  runtime_type = "io.containerd.runc.v2"',
                    "  privileged_without_host_devices = false # note",
                    "  [%s.containerd.runtimes.%s.options]" % (cri, name), "    BinaryName = %s" % binary,
                    "    SystemdCgroup = true", ""]
        elif kind == "dotted":
            out += ['"io.containerd.grpc.v1.cri".containerd.runtimes.%s.runtime_type = "io.containerd.runc.v2"' % name,
                    '"io.containerd.grpc.v1.cri".containerd.runtimes.%s.options.BinaryName = %s' % (name, binary),
                    '"io.containerd.grpc.v1.cri".containerd.runtimes.%s.options.SystemdCgroup = true' % name]
        elif kind == "root-dotted":
            out += ['%s.containerd.runtimes.%s.runtime_type = "io.containerd.runc.v2"' % (cri, name),
                    "%s.containerd.runtimes.%s.options.BinaryName = %s" % (cri, name, binary)]
        elif kind == "inline":
            out.append('%s = { runtime_type = "io.containerd.runc.v2", options = { BinaryName = %s } }'
                       % (name, binary))
        elif kind == "dotted-here":
            out += ["[%s.containerd.runtimes.%s]" % (cri, name), 'runtime_type = "io.containerd.runc.v2"',
                    "options.BinaryName = %s # dotted" % binary]
        else:
            out += ["[%s.containerd.runtimes.%s] # inline" % (cri, name),
                    "options = { BinaryName = %s, SystemdCgroup = true }" % binary]
        index += 1
    if spelling == "root-dotted":
        out += ['%s.containerd.snapshotter = "overlayfs"' % cri, "version = 2"]
    elif spelling == "dotted":
        out.append('"io.containerd.grpc.v1.cri".containerd.snapshotter = "overlayfs"')
    elif spelling == "appended":
        out += ["[proxy_plugins.stargz]", 'type = "snapshot"', 'address = "/run/stargz.sock"', "",
                "[%s.containerd]" % cri, 'snapshotter = "overlayfs" # spelled out', "", "version = 2"]
        out = out[-1:] + out[:-1]
    else:
        out += ["[%s.containerd]" % cri, 'default_runtime_name = "runc"', 'snapshotter = "overlayfs"']
    newline = "\r\n" if spelling == "mixed" else "\n"
    return newline.join(out) + newline

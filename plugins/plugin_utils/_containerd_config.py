# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Controller-side TOML patch engine for containerd configuration files (schemas 1 to 4).

Only the keys SOCI needs are touched; tomlkit keeps everything else (comments, order, quoting, placeholders)
byte for byte. A key the patch adds or changes carries a trailing ``# lazypull.soci: ...`` marker recording
what was there before, so that ``state=absent`` restores exactly the previous value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

try:
    import tomlkit
    from tomlkit.exceptions import ParseError, TOMLKitError
except ImportError:  # pragma: no cover - reported by the action plugins with a clear message
    tomlkit = None

MARKER = "lazypull.soci"
_MARKER_RE = re.compile(r"^(?P<user>.*?)\s*#\s*" + re.escape(MARKER) + r": (?:(?P<added>added)|was (?P<was>.+))$")

# The table that holds `snapshotter` for each config schema (containerd's CRI image settings).
CRI_IMAGES_TABLE = {
    1: ("plugins", "cri", "containerd"),
    2: ("plugins", "io.containerd.grpc.v1.cri", "containerd"),
    3: ("plugins", "io.containerd.cri.v1.images"),
    4: ("plugins", "io.containerd.cri.v1.images"),
}
SUPPORTED_VERSIONS = tuple(sorted(CRI_IMAGES_TABLE))


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
    if tomlkit is None:
        raise ConfigError("the Python library tomlkit is required on the Ansible controller (pip install tomlkit)")
    try:
        return tomlkit.parse(text)
    except ParseError as exc:
        raise ConfigError("%s: invalid TOML at line %d, column %d: %s" % (path, exc.line, exc.col, _reason(exc)))
    except TOMLKitError as exc:
        raise ConfigError("%s: invalid TOML: %s" % (path, exc))


def _reason(exc):
    # tomlkit appends " at line X col Y" to its messages; the location is already in ours.
    return re.sub(r" at line \d+ col \d+$", "", str(exc))


def file_version(doc, path):
    """The config schema a document declares: its `version` key, or 1 when there is none (containerd's rule)."""
    if "version" not in doc:
        return 1
    version = doc["version"]
    if isinstance(version, bool) or not isinstance(version, int) or int(version) not in SUPPORTED_VERSIONS:
        raise ConfigError("%s: unsupported containerd config version %s (supported: %s)"
                          % (path, _render(version), ", ".join(map(str, SUPPORTED_VERSIONS))))
    return int(version)


def _render(value):
    return value.as_string() if hasattr(value, "as_string") else tomlkit.item(value).as_string()


def _is_table(value):
    return isinstance(value, dict) or hasattr(value, "keys") and hasattr(value, "__getitem__")


def _descend(container, keys, path, create):
    """Walk (and, with create, build) nested tables. New tables follow the parent's spelling: inline tables
    grow inline children; elsewhere intermediate tables are implicit super tables and the leaf a [table]."""
    current = container
    for depth, key in enumerate(keys):
        if key in current:
            current = current[key]
            if not _is_table(current):
                raise ConfigError("%s: %s is a %s, expected a table"
                                  % (path, toml_path(keys[:depth + 1]), type(current).__name__.lower()))
            continue
        if not create:
            return None
        if isinstance(current, tomlkit.items.InlineTable):
            child = tomlkit.inline_table()
        else:
            child = tomlkit.table(is_super_table=depth < len(keys) - 1)
        current[key] = child
        current = current[key]
    return current


def _owner(table, key):
    """The concrete table holding `key`: tomlkit spreads out-of-order and dotted tables over several parts."""
    if isinstance(table, tomlkit.container.OutOfOrderTableProxy):
        for part in table._tables:
            if key in part:
                return _owner(part, key)
        return None
    return table


def _item(table, key):
    """The item (value plus its trivia) stored under `key`, or None where values carry no comments (inline)."""
    owner = _owner(table, key)
    if owner is None or isinstance(owner, tomlkit.items.InlineTable):
        return None
    return owner.item(key)


def _split_marker(item):
    """(marker match or None, the user's own comment) for an item's trailing comment."""
    comment = item.trivia.comment if item is not None else ""
    match = _MARKER_RE.match(comment or "")
    return (match, match.group("user")) if match else (None, comment)


def _set_comment(item, comment):
    item.trivia.comment = comment
    item.trivia.comment_ws = " " if comment else ""


def _sibling_indent(table, key):
    owner = _owner(table, key)
    for other, value in (owner.value.body if hasattr(owner, "value") else []):
        if other is not None and other != key and not _is_table(value):
            return value.trivia.indent
    return None


def _ensure(table, key, value, keys_changed, table_keys):
    """Set table[key] = value, recording once in a marker comment what was there before."""
    path = toml_path(table_keys + (key,))
    if key in table:
        old = table[key]
        if _is_table(old):
            raise ConfigError("%s is a table, expected a value" % path)
        plain = old.unwrap() if hasattr(old, "unwrap") else old
        if plain == value and type(plain) is type(value):
            return
        was = _render(old)
        table[key] = value
        item = _item(table, key)
        marker, user = _split_marker(item)
        if item is not None and marker is None:
            note = "%s: was %s" % (MARKER, was)
            _set_comment(item, "%s # %s" % (user, note) if user else "# " + note)
    else:
        table[key] = value
        item = _item(table, key)
        if item is not None:
            indent = _sibling_indent(table, key)
            if indent is not None:
                item.trivia.indent = indent
            _set_comment(item, "# %s: added" % MARKER)
    keys_changed.append(path)


def _restore(table, key, keys_changed, table_keys, fallback=None, only_if=None):
    """Undo _ensure: follow the marker when there is one, else set `fallback` where the value is `only_if`."""
    if table is None or key not in table:
        return
    path = toml_path(table_keys + (key,))
    item = _item(table, key)
    marker, user = _split_marker(item)
    if marker is not None:
        if marker.group("added"):
            del table[key]
        else:
            try:
                previous = tomlkit.parse("v = %s" % marker.group("was"))["v"]
            except TOMLKitError:
                raise ConfigError("%s has an unreadable %s marker: %s" % (path, MARKER, item.trivia.comment))
            table[key] = previous
            _set_comment(_item(table, key), user)
        keys_changed.append(path)
    elif fallback is not None and table[key] == only_if:
        table[key] = fallback
        keys_changed.append(path)


def patch(text, path, state="present", snapshotter="soci",
          address="/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock",
          root="/var/lib/soci-snapshotter-grpc", config_version="auto",
          disable_snapshot_annotations=False, discard_unpacked_layers=None, restore_snapshotter="overlayfs"):
    """Return a PatchResult for `text`, the current content of the containerd config at `path`."""
    doc = parse(text, path)
    declared = "version" in doc
    version = file_version(doc, path)
    if config_version not in (None, "auto"):
        wanted = int(config_version)
        if wanted not in SUPPORTED_VERSIONS:
            raise ConfigError("config_version=%s is not one of %s" % (config_version, SUPPORTED_VERSIONS))
        if not declared and wanted != 1 and "plugins" not in doc:
            # A file without plugin settings is schema-neutral: declare the requested schema.
            _prepend_version(doc, wanted)
            version = wanted
        elif wanted != version:
            raise ConfigError("%s: the file is containerd config version %d but config_version=%d was requested; "
                              "migrate it with `containerd config migrate` first" % (path, version, wanted))

    table_keys = CRI_IMAGES_TABLE[version]
    keys_changed = []
    if state == "present":
        cri = _descend(doc, table_keys, path, create=True)
        _ensure(cri, "snapshotter", snapshotter, keys_changed, table_keys)
        if disable_snapshot_annotations is not None:
            _ensure(cri, "disable_snapshot_annotations", bool(disable_snapshot_annotations), keys_changed, table_keys)
        if discard_unpacked_layers is not None:
            _ensure(cri, "discard_unpacked_layers", bool(discard_unpacked_layers), keys_changed, table_keys)
        plugin_keys = ("proxy_plugins", snapshotter)
        plugin = _descend(doc, plugin_keys, path, create=True)
        _ensure_plain(plugin, "type", "snapshot", keys_changed, plugin_keys)
        _ensure_plain(plugin, "address", address, keys_changed, plugin_keys)
        if root:
            exports = _descend(plugin, ("exports",), path, create=True)
            _ensure_plain(exports, "root", root, keys_changed, plugin_keys + ("exports",))
    else:
        cri = _descend(doc, table_keys, path, create=False)
        _restore(cri, "snapshotter", keys_changed, table_keys, fallback=restore_snapshotter, only_if=snapshotter)
        _restore(cri, "disable_snapshot_annotations", keys_changed, table_keys)
        _restore(cri, "discard_unpacked_layers", keys_changed, table_keys)
        if cri is not None and not cri and not isinstance(cri, tomlkit.container.OutOfOrderTableProxy):
            _drop_empty(doc, table_keys)
        proxies = _descend(doc, ("proxy_plugins",), path, create=False)
        if proxies is not None and snapshotter in proxies:
            del proxies[snapshotter]
            keys_changed.append(toml_path(("proxy_plugins", snapshotter)))
            if not proxies and getattr(proxies, "is_super_table", lambda: False)():
                del doc["proxy_plugins"]

    new_text = tomlkit.dumps(doc) if keys_changed else text
    if state == "absent" and keys_changed and text.endswith("\n") and not text.endswith("\n\n"):
        new_text = new_text.rstrip("\n") + "\n"
    return PatchResult(text=new_text, changed=new_text != text, config_version=version,
                       cri_table=toml_path(table_keys), keys=keys_changed)


def _ensure_plain(table, key, value, keys_changed, table_keys):
    """Keys inside our own proxy plugin table need no marker: absent removes the whole table."""
    if key in table and table[key] == value:
        return
    if key in table and _is_table(table[key]):
        raise ConfigError("%s is a table, expected a value" % toml_path(table_keys + (key,)))
    table[key] = value
    keys_changed.append(toml_path(table_keys + (key,)))


def _prepend_version(doc, version):
    body = doc.body[:]
    doc.clear()
    doc.add("version", version)
    for key, item in body:
        if key is None:
            doc.add(item)
        else:
            doc.add(key, item)


def _drop_empty(doc, keys):
    """Remove tables the patch created and emptied again (implicit parents included)."""
    for depth in range(len(keys), 0, -1):
        parent = _descend(doc, keys[:depth - 1], "", create=False) if depth > 1 else doc
        if parent is None or keys[depth - 1] not in parent:
            return
        child = parent[keys[depth - 1]]
        if child or isinstance(child, tomlkit.container.OutOfOrderTableProxy):
            return
        del parent[keys[depth - 1]]


def effective_problem(dump, path, state, snapshotter, address, file_schema):
    """Read `containerd config dump` output for the patched file; say why it does not do what was asked.

    containerd accepts some files it then partly ignores: containerd 2.x drops the CRI section of a version 1
    file, containerd 1.6 reads a version 3 file as version 2, and on 1.x a file in `imports` replaces whole
    plugin sections. Returns None when the effective configuration is right, or when `dump` is not a
    containerd config dump (the validate command was something else).
    """
    try:
        effective = tomlkit.parse(dump).unwrap()
    except TOMLKitError:
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

# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Credentials taken out of file contents before they are shown (the ``--diff`` of the edit modules).

containerd's ``registry.configs."<host>".auth`` tables hold ``password``, ``auth`` and ``identitytoken``; a diff shown
with ``--diff`` (and kept by AWX or ARA) must not. Values of keys named like credentials are replaced, line by
line, so the diff still shows where they are and that they did not change.
"""

from __future__ import annotations

import re

MASK = "********"

# Key names that carry credentials: containerd's registry auth (auth, password, identitytoken) and the usual others.
_SECRET_NAME = r"(?:auth|[A-Za-z0-9_-]*(?:password|passwd|token|secret)[A-Za-z0-9_-]*)"

# TOML: key = "value" / 'value' / """...""" / '''...''', also inside inline tables and after a dotted key.
_TOML = re.compile(
    r"""(?P<key>(?:^|(?<=[{,.\s]))["']?%s["']?[ \t]*=[ \t]*)"""
    r'''(?P<value>"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')''' % _SECRET_NAME,
    re.IGNORECASE | re.MULTILINE)
# JSON: "key": "value".
_JSON = re.compile(r'(?P<key>"%s"\s*:\s*)(?P<value>"(?:[^"\\]|\\.)*")' % _SECRET_NAME, re.IGNORECASE)
# YAML: key: value (quoted or plain) up to a comment or the end of the line.
_YAML = re.compile(r"""(?P<key>^[ \t-]*["']?%s["']?[ \t]*:[ \t]+)"""
                   r"""(?P<value>"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s#{\[][^\n#]*?)(?=[ \t]*(?:#[^\n]*)?$)""" % _SECRET_NAME,
                   re.IGNORECASE | re.MULTILINE)


def _mask(match):
    value = match.group("value")
    quote = value[:3] if value[:3] in ('"""', "'''") else (value[0] if value[:1] in ("'", '"') else "")
    return match.group("key") + quote + MASK + quote


def redact(text):
    """text with the values of credential keys (TOML, JSON or YAML) replaced by a mask."""
    for pattern in (_TOML, _JSON, _YAML):
        text = pattern.sub(_mask, text)
    return text

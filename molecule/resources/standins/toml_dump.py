# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A small TOML writer for the TEST STAND-INS (nodeadm, nvidia-ctk), which rewrite whole files as the real
tools do. Values: strings, numbers, booleans, lists and tables."""

import json
import re


def toml_key(key):
    return key if re.match(r"^[A-Za-z0-9_-]+$", key) else json.dumps(key)


def toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):  # inside a list: an inline table
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


def dump_toml(data, prefix=()):
    lines = [f"{toml_key(k)} = {toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    out = ""
    if prefix and (lines or not any(isinstance(v, dict) for v in data.values())):
        out += "\n[" + ".".join(toml_key(k) for k in prefix) + "]\n"
    out += "".join(line + "\n" for line in lines)
    for key, value in data.items():
        if isinstance(value, dict):
            out += dump_toml(value, prefix + (key,))
    return out

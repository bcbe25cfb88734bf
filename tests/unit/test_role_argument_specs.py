# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The role states each public variable twice: its value in defaults/main.yml (what Ansible uses) and its
documentation in meta/argument_specs.yml (what ansible-doc shows and what the role's arguments are checked against).
They must say the same: the same names, and each documented default the value the role really has."""

from __future__ import annotations

import os

import pytest
import yaml

from ansible_collections.lazypull.soci.tests.unit.containerd_bins import COLLECTION_ROOT

ROLE = os.path.join(COLLECTION_ROOT, "roles", "soci")


def load(*parts):
    with open(os.path.join(ROLE, *parts)) as handle:
        return yaml.safe_load(handle)


DEFAULTS = load("defaults", "main.yml")
SPEC = load("meta", "argument_specs.yml")["argument_specs"]["main"]["options"]


def test_the_same_variables_are_defaulted_and_documented():
    assert sorted(set(DEFAULTS) - set(SPEC)) == [], "defaulted in defaults/main.yml, missing in argument_specs.yml"
    undefaulted = [name for name, spec in SPEC.items() if name not in DEFAULTS and not spec.get("required")]
    assert undefaulted == [], "documented as optional, with no value in defaults/main.yml"


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_documented_default_is_the_real_one(name):
    spec = SPEC.get(name, {})
    assert "default" in spec, "%s: argument_specs.yml gives no default; defaults/main.yml has %r" % (name, DEFAULTS[name])
    real = DEFAULTS[name]
    if isinstance(real, str) and "{{" in real:
        pytest.skip("%s is computed from other variables" % name)
    assert spec["default"] == real, "%s: documented %r, defaults/main.yml %r" % (name, spec["default"], real)


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_default_has_the_documented_type(name):
    kinds = {"str": str, "bool": bool, "int": int, "list": list, "dict": dict, "path": str, "raw": object}
    real, kind = DEFAULTS[name], SPEC.get(name, {}).get("type", "str")
    if isinstance(real, str) and "{{" in real:
        pytest.skip("%s is computed from other variables" % name)
    assert isinstance(real, kinds[kind]) and not (kind == "int" and isinstance(real, bool)), (
        "%s: type %s, but defaults/main.yml has %r" % (name, kind, real))

# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Whether a containerd version is in a PEP 440 range (controller side: the packaging library). Used by the
containerd_version module's action plugin and by the containerd_version_facts filter, which read the version
in different ways (a module run, the role's probe)."""

from __future__ import annotations

try:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version
except ImportError:
    SpecifierSet = None


class SupportError(ValueError):
    """A one-line reason why the range cannot be checked."""


def specifier(spec):
    if SpecifierSet is None:
        raise SupportError("the Python library packaging is required on the Ansible controller")
    try:
        return SpecifierSet(str(spec))
    except InvalidSpecifier:
        raise SupportError("supported=%r is not a PEP 440 version specifier" % spec)


def supported(facts, spec):
    """facts: containerd_version's result (installed, pep440). Returns {supported, supported_range}."""
    allowed = specifier(spec)
    result = {"supported": False, "supported_range": str(spec)}
    if facts.get("installed") and "pep440" in facts:
        try:
            result["supported"] = allowed.contains(Version(facts["pep440"]), prereleases=True)
        except InvalidVersion:
            raise SupportError("containerd version %r is not a PEP 440 version" % facts["pep440"])
    return result

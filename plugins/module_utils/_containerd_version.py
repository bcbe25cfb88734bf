# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Parse `containerd --version` output (target side, standard library only)."""

from __future__ import annotations

import re

# containerd github.com/containerd/containerd 1.7.27 05044ec0...
# containerd github.com/containerd/containerd/v2 v2.2.4 <sha>
# containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+deb12u3
# containerd github.com/containerd/containerd/v2 2.1.9+unknown
# containerd containerd.io 2.0.0-rc.6 <sha>
_VERSION = re.compile(
    r"(?:^|\s)v?(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
    r"(?P<suffix>[-~+][0-9A-Za-z.~+-]*)?(?=\s|$)")
_PRERELEASE = re.compile(r"^-((?:alpha|beta|rc)[.]?\d*)")

CRI_IMAGES_TABLE_V2 = 'plugins."io.containerd.grpc.v1.cri".containerd'
CRI_IMAGES_TABLE_V3 = 'plugins."io.containerd.cri.v1.images"'


class VersionError(ValueError):
    pass


def parse_version(output):
    """Return a dict describing the first containerd version in `output`; raise VersionError if none."""
    text = (output or "").strip()
    first = text.splitlines()[0] if text else ""
    match = _VERSION.search(first)
    if not match:
        raise VersionError("no containerd version in %r" % (first[:120] or text[:120]))
    major, minor, patch = int(match.group("major")), int(match.group("minor")), int(match.group("patch"))
    pre_match = _PRERELEASE.match(match.group("suffix") or "")
    pre = pre_match.group(1) if pre_match else None
    version = "%d.%d.%d" % (major, minor, patch)
    pep440 = version + (_pep440_pre(pre) if pre else "")
    return {
        "version": version,
        "major": major,
        "minor": minor,
        "patch": patch,
        "prerelease": pre,
        "pep440": pep440,
        "raw": first,
        "config_version": config_version(major, minor),
        "cri_images_table": CRI_IMAGES_TABLE_V2 if major < 2 else CRI_IMAGES_TABLE_V3,
    }


def _pep440_pre(pre):
    kind, number = re.match(r"(alpha|beta|rc)[.]?(\d*)", pre).groups()
    return {"alpha": "a", "beta": "b", "rc": "rc"}[kind] + (number or "0")


def config_version(major, minor):
    """The newest config schema this containerd reads: 2 for 1.x, 3 for 2.0-2.2, 4 from 2.3."""
    if major < 2:
        return 2
    if major == 2 and minor < 3:
        return 3
    return 4

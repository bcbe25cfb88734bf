# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the containerd patch must do to any config containerd accepts, checked with real containerd
(`containerd --config FILE config dump`): shared by the property suite and the fixed cases."""

from __future__ import annotations

import gc
import os
import subprocess
import tempfile
import time
import tomllib

import pytest

from ansible_collections.lazypull.soci.plugins.plugin_utils._containerd_config import ConfigError, patch
from ansible_collections.lazypull.soci.tests.unit.containerd_bins import SEARCH, discover

SOCK = "/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock"
ROOT = "/var/lib/soci-snapshotter-grpc"
CRI = {2: ("plugins", "io.containerd.grpc.v1.cri", "containerd"), 3: ("plugins", "io.containerd.cri.v1.images")}
MANAGED = ("snapshotter", "disable_snapshot_annotations", "discard_unpacked_layers")
PATH = "/etc/containerd/config.toml"
_CONTAINERDS = discover()
# The containerd that must accept a config of each schema for the patch to be held to it.
READERS = {2: [c for c in _CONTAINERDS if c.major == 1], 3: [c for c in _CONTAINERDS if c.major == 2]}


def readers(schema):
    if len(READERS[schema]) != (2 if schema == 2 else 1):
        pytest.fail("real containerd 1.6, 1.7 and 2.x are needed under %s; run `make containerd`" % SEARCH)
    return READERS[schema]


def dumps(jobs):
    """`containerd --config config.toml config dump` for each (containerd, text) of `jobs`, side by side:
    [(rc, stdout, stderr)]. Each file is config.toml in a folder of its own, so that the dumps compare."""
    with tempfile.TemporaryDirectory() as tmp:
        procs = []
        for index, (containerd, text) in enumerate(jobs):
            folder = os.path.join(tmp, str(index))
            os.mkdir(folder)
            with open(os.path.join(folder, "config.toml"), "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            procs.append(subprocess.Popen([containerd.path, "--config", "config.toml", "config", "dump"], cwd=folder,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            results.append((proc.returncode, out, err))
        return results


def timed_patch(text, **kwargs):
    """patch(), held to a time bound linear in the size of the file, with room for a busy machine (the target,
    5,000 lines in 200 ms, is checked in test__containerd_config). A slow call is timed again: a cost that
    grows faster than the file shows every time."""
    bound = 0.05 + len(text) * 1e-6
    for dummy in range(3):
        elapsed, result = cpu_time(patch, text, PATH, **kwargs)
        if elapsed < bound:
            return result
    pytest.fail("%.0f ms for %d bytes, 3 times" % (elapsed * 1000, len(text)))


def cpu_time(function, *args, **kwargs):
    """(CPU seconds, result) of a call: other processes on the machine (containerd, the other test worker)
    do not count, and neither do pauses of the garbage collector, which depend on what the test process holds."""
    gc.disable()
    try:
        start = time.process_time()
        result = function(*args, **kwargs)
        return time.process_time() - start, result
    finally:
        gc.enable()


def check_patch(text, schema, containerds, soci=None):
    """The properties of issue 16 on one config of `schema`, with `containerds` that read it as the oracle.

    Returns False, checking nothing, when one of them rejects the config. `soci`: the config has soci
    settings of its own (then `absent` removes them too); guessed from the text when None.
    """
    soci = "soci" in text if soci is None else soci
    try:
        present = timed_patch(text)
        absent = timed_patch(present.text, state="absent")
        texts, failure = [text, present.text, absent.text], None
    except ConfigError as exc:
        texts, failure = [text], exc
    # Without soci settings of its own, absent must give back the very bytes: no need to ask containerd.
    if failure is None and not soci:
        assert absent.text == text, "absent did not give back the original"
        texts.pop()
    results = dumps([(c, t) for c in containerds for t in texts])
    if any(results[i * len(texts)][0] for i in range(len(containerds))):
        return False
    if failure is not None:
        raise failure
    again = patch(present.text, PATH)
    assert not again.changed and again.text == present.text and again.keys == [], "a second present changed it"
    assert_untouched(text, present.text)
    for index, containerd in enumerate(containerds):
        outputs = results[index * len(texts):(index + 1) * len(texts)]
        for rc, dummy, err in outputs[1:]:
            assert rc == 0, "containerd %s rejects the patched file: %s" % (containerd.version, err)
        before, after = tomllib.loads(outputs[0][1]), tomllib.loads(outputs[1][1])
        check_present(before, after, containerd, schema)
        if soci:
            check_absent(text, before, tomllib.loads(outputs[2][1]), schema)
    return True


def check_present(before, after, containerd, schema):
    """`present` gives the SOCI settings and changes nothing else in the config dump."""
    images = table(after, CRI[schema])
    assert images.get("snapshotter") == "soci"
    assert images.get("disable_snapshot_annotations") is False
    proxy = after.get("proxy_plugins", {}).get("soci", {})
    assert proxy.get("type") == "snapshot" and proxy.get("address") == SOCK
    if (containerd.major, containerd.minor) >= (1, 7):  # containerd 1.6 has no proxy plugin exports
        assert proxy.get("exports", {}).get("root") == ROOT
    assert same_but_soci(after, before, schema), "present changed other settings"


def check_absent(original_text, before, after, schema):
    """`absent` on a file that had soci settings of its own: they go, the rest comes back."""
    assert "soci" not in after.get("proxy_plugins", {})
    own = table(tomllib.loads(original_text), CRI[schema]).get("snapshotter")
    expected = "overlayfs" if own == "soci" else table(before, CRI[schema]).get("snapshotter")
    assert table(after, CRI[schema]).get("snapshotter") == expected
    assert same_but_soci(after, before, schema, ("snapshotter",)), "absent did not give back the other settings"


def table(data, keys):
    for key in keys:
        data = data.get(key, {})
    return data


def same_but_soci(one, other, schema, keys=("snapshotter", "disable_snapshot_annotations")):
    """Two config dumps are equal but for these keys of the CRI images table and the soci proxy plugin."""
    if _without(one.get("proxy_plugins", {}), ("soci",)) != _without(other.get("proxy_plugins", {}), ("soci",)):
        return False
    path = CRI[schema]
    for depth in range(len(path) + 1):
        skip = (path[depth],) if depth < len(path) else keys
        if depth == 0:
            skip += ("proxy_plugins",)
        if _without(one, skip) != _without(other, skip):
            return False
        if depth < len(path):
            one, other = one.get(path[depth], {}), other.get(path[depth], {})
    return True


def _without(data, keys):
    return {key: value for key, value in data.items() if key not in keys}


def touchable(line):
    """Lines the patch may change: those holding its keys, inline tables, or soci settings. Never comments."""
    content = line.strip()
    return not content.startswith("#") and ("{" in line or "soci" in line or any(k in line for k in MANAGED))


def assert_untouched(original, patched):
    """Every other line of `original` is in `patched`, in the same order, byte for byte (line ending too)."""
    remaining = iter(patched.splitlines(keepends=True))
    for line in original.splitlines(keepends=True):
        if touchable(line):
            continue
        content = line.rstrip("\r\n")
        ending = line[len(content):]
        for candidate in remaining:
            if candidate.rstrip("\r\n") == content and (not ending or candidate.endswith(ending)):
                break
        else:
            pytest.fail("line %r was changed, moved or lost" % line)

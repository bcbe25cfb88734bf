# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""SOCI's own config.toml as the role writes it, and the check that SOCI knows every key of it.

SOCI decodes its config without rejecting unknown keys, so a typo in an override is silently ignored; the keys of
the effective configuration the real daemon prints (``soci-snapshotter-grpc config dump``) are the ones it knows.
"""

from __future__ import annotations

import copy
import re
import tomllib  # the controller runs Python 3.11 or later (ansible-core 2.19+)

PULL_MODES = ("lazy", "parallel", "lazy+parallel-fallback")

# Per pull mode (SOCI docs/pull-modes.md, docs/parallel-mode.md). The parallel values are the ones EKS nodeadm writes
# for FastImagePull. The lazy modes let SOCI start after a reboot even when a lazily loaded snapshot cannot be
# restored (its registry unreachable): the snapshot is skipped instead of the whole daemon failing.
MODE_CONFIG = {
    "lazy": {
        "pull_modes": {"soci_v2": {"enable": True}},
        "snapshotter": {"allow_invalid_mounts_on_restart": True},
    },
    "parallel": {
        "content_store": {"type": "containerd"},
        "pull_modes": {"parallel_pull_unpack": {
            "enable": True,
            "max_concurrent_downloads": -1,
            "max_concurrent_downloads_per_image": 20,
            "concurrent_download_chunk_size": "16mb",
            "max_concurrent_unpacks": -1,
            "max_concurrent_unpacks_per_image": 12,
            "discard_unpacked_layers": True,
        }},
    },
    "lazy+parallel-fallback": {
        "content_store": {"type": "containerd"},
        "pull_modes": {
            "soci_v2": {"enable": True},
            "parallel_pull_unpack": {
                "enable": False,
                "experimental_parallel_pull_as_fallback": True,
                "max_concurrent_downloads_per_image": 10,
                "concurrent_download_chunk_size": "16mb",
                "max_concurrent_unpacks_per_image": 10,
                "discard_unpacked_layers": True,
            },
        },
        "snapshotter": {"allow_invalid_mounts_on_restart": True},
    },
}


def pull_mode(config):
    """The pull mode a config.toml (as a dictionary) runs SOCI in, told apart by the keys MODE_CONFIG sets: the
    parallel table enabled, or enabled as the fallback; lazy otherwise (also nodeadm's FastImagePull config)."""
    parallel = (config.get("pull_modes") or {}).get("parallel_pull_unpack") or {}
    if parallel.get("enable") is True:
        return "parallel"
    if parallel.get("experimental_parallel_pull_as_fallback") is True:
        return "lazy+parallel-fallback"
    return "lazy"


# Where SOCI finds registry credentials (docs/registry-authentication.md). Root's docker config is always read by
# SOCI, so it needs no setting; "anonymous" declares that every image is public.
AUTH_SOURCES = ("cri", "docker_config", "kubeconfig", "anonymous")

# kubelet's image service goes through SOCI, which keeps the credentials kubelet sends and proxies to containerd.
CRI_KEYCHAIN = {"cri_keychain": {"enable_keychain": True, "image_service_path": "/run/containerd/containerd.sock"}}


class SociConfigError(Exception):
    """A one-line, user-facing reason why the configuration cannot be written."""


def merge(base, extra):
    """A deep copy of base with extra merged over it, table by table."""
    result = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def build(mode, auth=("cri",), kubeconfig="", unpigz="", overrides=None):
    """The config.toml contents for a pull mode and credential sources, as a dictionary."""
    if mode not in MODE_CONFIG:
        raise SociConfigError("unknown pull mode %r (one of: %s)" % (mode, ", ".join(PULL_MODES)))
    unknown = [source for source in auth if source not in AUTH_SOURCES]
    if unknown:
        raise SociConfigError("unknown credential source %s (known: %s)"
                              % (", ".join(map(repr, unknown)), ", ".join(AUTH_SOURCES)))
    if "kubeconfig" in auth and not kubeconfig:
        raise SociConfigError("the kubeconfig credential source needs the path of a kubeconfig")
    config = MODE_CONFIG[mode]
    if "cri" in auth:
        config = merge(config, CRI_KEYCHAIN)
    if "kubeconfig" in auth:
        config = merge(config, {"kubeconfig_keychain": {"enable_keychain": True, "kubeconfig_path": kubeconfig}})
    if unpigz and mode != "lazy":
        config = merge(config, {"pull_modes": {"parallel_pull_unpack": {"decompress_streams": {
            "gzip": {"path": unpigz, "args": ["-d", "-c"]}}}}})
    return merge(config, overrides or {})


def _leaf_paths(table, prefix=()):
    for key, value in table.items():
        if isinstance(value, dict) and value:
            yield from _leaf_paths(value, prefix + (key,))
        else:
            yield prefix + (key,)


def _lookup(table, path):
    for key in path:
        if not isinstance(table, dict) or key not in table:
            return None
        table = table[key]
    return table


def _dotted(path):
    return ".".join(path)


def ignored_keys(config, dump_text):
    """The keys of config that SOCI's `config dump` (run on that config) does not show, i.e. keys SOCI ignores,
    each with the keys SOCI knows at that place: [("pull_modes.soci_v2.enabel", ["enable"]), ...]."""
    try:
        dump = tomllib.loads(dump_text)
    except Exception as exc:  # the daemon's own output; any parser error means it printed something else
        raise SociConfigError("cannot read the output of soci-snapshotter-grpc config dump: %s" % exc)
    found = []
    for path in _leaf_paths(config):
        if _lookup(dump, path) is not None:
            continue
        # Report the first level SOCI does not know, with what it knows there.
        for depth in range(1, len(path) + 1):
            if _lookup(dump, path[:depth]) is None:
                parent = dump if depth == 1 else _lookup(dump, path[:depth - 1])
                known = sorted(parent) if isinstance(parent, dict) else []
                entry = (_dotted(path[:depth]), known)
                if entry not in found:
                    found.append(entry)
                break
    return found


def _daemon_error(stderr):
    """The message of the daemon's fatal log line (logrus: time=... level=fatal msg="..." error="...")."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    if not lines:
        return "no output"
    last = lines[-1]
    match = re.search(r' msg="((?:[^"\\]|\\.)*)"', last)
    return match.group(1).replace('\\"', '"') if match else last.strip()


def problem(config, rc, stdout, stderr, path, timeout):
    """Why the daemon cannot use config (its `config dump` run on it gave rc, stdout, stderr), in one line naming
    path; empty when it reads every key. rc 124 is the time-out of `timeout`."""
    if rc == 124:
        return "soci-snapshotter-grpc did not read the new %s within %s s" % (path, timeout)
    if rc != 0:
        return "soci-snapshotter-grpc refuses the new %s: %s" % (path, _daemon_error(stderr).replace("/dev/stdin", path))
    found = ignored_keys(config, stdout)
    if found:
        return "soci-snapshotter-grpc would ignore these keys of the new %s (check soci_config_overrides): %s" % (
            path, "; ".join("%s (known there: %s)" % (key, ", ".join(known) or "none") for key, known in found))
    return ""

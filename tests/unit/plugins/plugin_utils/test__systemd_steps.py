# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The run's one systemd step as the controller decides it (plugin_utils/_systemd_steps.py); health.sh, which takes
the steps, is tested in tests/unit/test_health_step.py."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.lazypull.soci.plugins.filter.soci_systemd_steps import soci_systemd_steps
from ansible_collections.lazypull.soci.plugins.plugin_utils._systemd_steps import steps

UNITS = "/etc/systemd/system"
CONFIG = "/etc/soci-snapshotter-grpc/config.toml"
DROPIN = UNITS + "/containerd.service.d/50-lazypull-soci.conf"
SANDBOX = UNITS + "/lazypull-soci-sandbox-import.service"
FILES = {"unit_dir": UNITS, "containerd_dropin": DROPIN, "sandbox_unit": SANDBOX,
         "soci_files": [UNITS + "/soci-snapshotter.service", UNITS + "/soci-snapshotter.socket", CONFIG,
                        "/usr/local/bin/soci", "/usr/local/bin/soci-snapshotter-grpc"],
         "boot_units": ["soci-snapshotter.socket", "soci-snapshotter.service"], "restart_under_running": False}
ENABLED = {"enabled:soci-snapshotter.socket": "enabled", "enabled:soci-snapshotter.service": "enabled",
           "running": "0", "kubelet": "inactive", "sandbox_archive": ""}


def changes(files=(), package=False, containerd=False, kubelet=False, old_copies=()):
    return {"files": list(files), "package": package, "containerd": containerd, "kubelet": kubelet,
            "old_copies": list(old_copies)}


def test_a_fresh_node_gets_every_step_in_order():
    node = dict(ENABLED, **{"enabled:soci-snapshotter.socket": "disabled", "enabled:soci-snapshotter.service": "",
                            "kubelet": "active"})
    written = [CONFIG, UNITS + "/soci-snapshotter.service", DROPIN, "/usr/local/bin/soci"]
    assert steps(changes(written, containerd=True, kubelet=True), node, FILES) == [
        "reload", "enable:soci-snapshotter.socket", "enable:soci-snapshotter.service", "restart:soci",
        "restart:containerd.service", "restart:kubelet.service"]


@pytest.mark.parametrize("state, expected", [
    ("static", []), ("enabled-runtime", []), ("alias", []),
    ("disabled", ["enable:soci-snapshotter.socket"]), ("", ["enable:soci-snapshotter.socket"]),
])
def test_units_are_enabled_where_systemctl_says_they_are_not(state, expected):
    node = dict(ENABLED, **{"enabled:soci-snapshotter.socket": state})
    assert steps(changes(), node, FILES) == expected


def test_nothing_changed_and_everything_enabled_is_no_step():
    assert steps(changes(), ENABLED, FILES) == []


def test_a_new_config_toml_restarts_soci_without_a_reload():
    assert steps(changes([CONFIG]), ENABLED, FILES) == ["restart:soci"]


def test_containerd_s_drop_in_reloads_and_restarts_containerd_only():
    assert steps(changes([DROPIN]), ENABLED, FILES) == ["reload", "restart:containerd.service"]


def test_a_boot_file_outside_the_unit_folder_needs_no_step():
    assert steps(changes(["/etc/modules-load.d/soci-snapshotter.conf"]), ENABLED, FILES) == []


def test_the_distribution_package_reloads_and_restarts_soci():
    assert steps(changes(package=True), ENABLED, FILES) == ["reload", "restart:soci"]


@pytest.mark.parametrize("allowed, expected", [(False, []), ("yes", ["restart:soci"])])
def test_soci_is_not_restarted_under_running_containers_unless_allowed(allowed, expected):
    node = dict(ENABLED, running="3")
    assert steps(changes(["/usr/local/bin/soci-snapshotter-grpc"]), node, dict(FILES, restart_under_running=allowed)) \
        == expected


def test_kubelet_is_restarted_only_where_it_runs():
    assert steps(changes(kubelet=True), ENABLED, FILES) == []
    assert steps(changes(kubelet=True), dict(ENABLED, kubelet="active"), FILES) == ["restart:kubelet.service"]


@pytest.mark.parametrize("changed, expected", [
    (changes([SANDBOX]), ["reload", "import:lazypull-soci-sandbox-import.service"]),
    (changes(containerd=True), ["restart:containerd.service", "import:lazypull-soci-sandbox-import.service"]),
    (changes([CONFIG]), ["restart:soci"]),
])
def test_the_pause_image_is_imported_where_its_unit_or_containerd_changed(changed, expected):
    node = dict(ENABLED, sandbox_archive="/etc/eks/pause.tar")
    assert steps(changed, node, FILES) == expected


def test_the_pause_image_import_needs_the_archive():
    assert steps(changes([SANDBOX]), ENABLED, FILES) == ["reload"]


def test_old_copies_are_dropped_last():
    old = ["/usr/local/bin/soci.1.2026-11-27@07:00:00~"]
    assert steps(changes(["/usr/local/bin/soci"], old_copies=old), ENABLED, FILES) == [
        "restart:soci", "drop:" + old[0]]


def test_the_filter_refuses_what_it_cannot_read():
    with pytest.raises(AnsibleFilterError, match="missing old_copies"):
        soci_systemd_steps({"files": [], "package": False, "containerd": False, "kubelet": False}, ENABLED, FILES)
    with pytest.raises(AnsibleFilterError, match="needs the changes' dict"):
        soci_systemd_steps([], ENABLED, FILES)


def test_an_image_build_restarts_nothing_and_tries_the_snapshotter_instead():
    node = dict(ENABLED, running="0", kubelet="active", sandbox_archive="/etc/eks/pause.tar")
    node.pop("enabled:soci-snapshotter.service")
    written = [CONFIG, DROPIN, SANDBOX, "/usr/local/bin/soci-snapshotter-grpc"]
    bake = dict(FILES, bake=True, root_dir="/var/lib/soci-snapshotter-grpc")
    assert steps(changes(written, containerd=True, kubelet=True, old_copies=["/etc/containerd/config.toml.1~"]),
                 node, bake) == [
        "reload", "enable:soci-snapshotter.service", "try:soci-snapshotter.service",
        "clean:/var/lib/soci-snapshotter-grpc", "bake", "drop:/etc/containerd/config.toml.1~"]
    # An image already as wanted is still tried: the build proves the snapshotter starts.
    assert steps(changes(), ENABLED, bake) == ["try:soci-snapshotter.service", "clean:/var/lib/soci-snapshotter-grpc", "bake"]


def test_an_image_build_needs_the_data_folder():
    with pytest.raises(ValueError, match="bake needs root_dir"):
        steps(changes(), ENABLED, dict(FILES, bake=True))

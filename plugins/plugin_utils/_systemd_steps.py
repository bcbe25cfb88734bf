# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The run's one systemd step, decided on the controller from what the run changed and what the probe found: the
ordered steps roles/soci/files/health.sh takes before and after its health poll. Pure Python: the unit tests run it
without Ansible."""

from __future__ import annotations

from ansible.module_utils.parsing.convert_bool import boolean

SANDBOX_IMPORT = "lazypull-soci-sandbox-import.service"
# The states `systemctl is-enabled` answers 0 for: nothing to enable (a static unit has no [Install] section).
ENABLED = ("enabled", "enabled-runtime", "static", "alias", "indirect", "generated", "transient")
# What steps() reads from the role's files and settings.
FILES = ("unit_dir", "soci_files", "containerd_dropin", "sandbox_unit", "boot_units", "restart_under_running")
# An image build (soci_bake): the snapshotter is started once on its new configuration and stopped again, and what
# that start left in its data folder is removed; nothing else is restarted (the image's next boot starts it all).
TRY = "soci-snapshotter.service"
# What steps() reads of what the run changed.
CHANGES = ("files", "package", "containerd", "kubelet", "old_copies")


def steps(changed, node, files):
    """changed: files (paths written, or in check mode to be written), package (the distribution's SOCI package was
    installed), containerd (its configuration or default runtime changed), kubelet (its image endpoint changed),
    old_copies (the backups this run kept only until the node proved healthy: the
    replaced binaries, nodeadm's drop-in). node: the probe's keys (running, kubelet, sandbox_archive,
    enabled:UNIT). files: the role's unit folder, the files whose change restarts SOCI, containerd's drop-in, the pause
    import unit, the units to enable for every boot, and soci_restart_under_running_containers; optional: bake
    (soci_bake) and root_dir (SOCI's data folder, needed with bake).

    In this order: reload units where a unit or drop-in changed (or the package brought its own); enable the boot units
    that are not; restart SOCI where its binaries, units or config.toml changed (not under running containers unless
    allowed), then containerd, then kubelet where it runs; once the node answers, import the pause image where the
    node carries its archive and the import unit or containerd changed, and drop the old copies."""
    missing = [key for key in CHANGES if key not in changed] + [key for key in FILES if key not in files]
    if missing:
        raise ValueError("missing %s" % ", ".join(missing))
    written = [str(path) for path in changed["files"]]
    unit_dir = str(files["unit_dir"]).rstrip("/") + "/"
    package = boolean(changed["package"], strict=False)
    containerd = boolean(changed["containerd"], strict=False) or files["containerd_dropin"] in written
    out = []
    if package or any(path.startswith(unit_dir) for path in written):
        out.append("reload")
    out += ["enable:" + unit for unit in files["boot_units"] if node.get("enabled:" + unit) not in ENABLED]
    if boolean(files.get("bake", False), strict=False):
        if not str(files.get("root_dir") or "").startswith("/"):
            raise ValueError("bake needs root_dir, an absolute path")
        return out + ["try:" + TRY, "clean:" + str(files["root_dir"]), "bake"] + ["drop:" + str(path) for path in changed["old_copies"]]
    soci = package or any(path in files["soci_files"] for path in written)
    if soci and (_count(node.get("running")) == 0 or boolean(files["restart_under_running"], strict=False)):
        out.append("restart:soci")
    if containerd:
        out.append("restart:containerd.service")
    if boolean(changed["kubelet"], strict=False) and node.get("kubelet") == "active":
        out.append("restart:kubelet.service")
    if node.get("sandbox_archive") and (files["sandbox_unit"] in written or containerd):
        out.append("import:" + SANDBOX_IMPORT)
    out += ["drop:" + str(path) for path in changed["old_copies"]]
    return out


def _count(value):
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0

# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.lazypull.soci.plugins.modules.containerd_soci_patch import DOCUMENTATION
from ansible_collections.lazypull.soci.plugins.plugin_utils._argspec import file_edit_argument_spec
from ansible_collections.lazypull.soci.plugins.plugin_utils._containerd_config import (
    ConfigError, effective_problem, patch)
from ansible_collections.lazypull.soci.plugins.plugin_utils._file_edit_action import EditError, FileEditAction


class ActionModule(FileEditAction):
    argument_spec = file_edit_argument_spec(DOCUMENTATION)

    def edit(self, text, params, exists):
        path = params["path"]
        if not exists:
            if params["state"] == "absent":
                return text, {"config_version": None, "cri_table": None, "patched_keys": []}
            if not params["create"]:
                raise EditError("%s: no such file; set create=true to write a new containerd config" % path)
            if params["config_version"] == "auto":
                raise EditError("%s: no such file, and config_version=auto needs one to read the schema from; "
                                "set config_version (containerd_version returns it)" % path)
        try:
            result = patch(text, path, state=params["state"], snapshotter=params["snapshotter"],
                           address=params["address"], root=params["root"],
                           config_version=params["config_version"],
                           disable_snapshot_annotations=params["disable_snapshot_annotations"],
                           discard_unpacked_layers=params["discard_unpacked_layers"],
                           restore_snapshotter=params["restore_snapshotter"])
        except ConfigError as exc:
            raise EditError(str(exc))
        return result.text, {"config_version": result.config_version, "cri_table": result.cri_table,
                             "patched_keys": result.keys}

    def check_validation(self, params, stdout, facts):
        problem = effective_problem(stdout, params["path"], params["state"], params["snapshotter"],
                                    params["address"], facts.get("config_version"))
        if problem:
            raise EditError(problem)

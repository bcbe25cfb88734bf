# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.lazypull.soci.plugins.modules.kubelet_image_endpoint import DOCUMENTATION
from ansible_collections.lazypull.soci.plugins.plugin_utils._argspec import file_edit_argument_spec
from ansible_collections.lazypull.soci.plugins.plugin_utils._file_edit_action import EditError, FileEditAction
from ansible_collections.lazypull.soci.plugins.plugin_utils._kubelet_config import KubeletConfigError, edit


class ActionModule(FileEditAction):
    argument_spec = file_edit_argument_spec(DOCUMENTATION)

    def edit(self, text, params, exists):
        path = params["path"]
        present = params["state"] == "present"
        if not exists:
            if not present:
                return text, {"previous": None, "format": None}
            if not params["create"]:
                raise EditError("%s: no such file; set create=true to write a new kubelet config drop-in" % path)
            if params["format"] != "yaml":
                text = '{\n  "kind": "KubeletConfiguration",\n  "apiVersion": "kubelet.config.k8s.io/v1beta1"\n}\n'
            else:
                text = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
        try:
            result = edit(text, path, params["endpoint"] if present else None, params["format"])
        except KubeletConfigError as exc:
            raise EditError(str(exc))
        return result.text, {"previous": result.previous, "format": result.format}

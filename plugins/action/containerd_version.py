# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Runs the containerd_version module on the node, then checks the range on the controller (packaging)."""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.lazypull.soci.plugins.plugin_utils._containerd_support import SupportError, specifier, supported


class ActionModule(ActionBase):
    _requires_connection = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        spec = self._task.args.get("supported", ">=1.6.0")
        try:
            specifier(spec)
        except SupportError as exc:
            return dict(result, failed=True, msg=str(exc))
        result.update(self._execute_module(module_name="lazypull.soci.containerd_version",
                                           module_args=self._task.args, task_vars=task_vars, wrap_async=False))
        try:
            result.update(supported(result, spec))
        except SupportError as exc:
            result.update(failed=True, msg=str(exc), supported=False, supported_range=str(spec))
        result["changed"] = False
        return result

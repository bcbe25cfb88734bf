# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Runs the containerd_version module on the node, then checks the range on the controller (packaging)."""

from __future__ import annotations

from ansible.plugins.action import ActionBase

try:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version
except ImportError:
    SpecifierSet = None


class ActionModule(ActionBase):
    _requires_connection = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        spec = self._task.args.get("supported", ">=1.6.0")
        if SpecifierSet is None:
            return dict(result, failed=True, msg="the Python library packaging is required on the Ansible controller")
        try:
            specifier = SpecifierSet(str(spec))
        except InvalidSpecifier:
            return dict(result, failed=True, msg="supported=%r is not a PEP 440 version specifier" % spec)

        result.update(self._execute_module(module_name="lazypull.soci.containerd_version",
                                           module_args=self._task.args, task_vars=task_vars, wrap_async=False))
        result["supported_range"] = str(spec)
        result["supported"] = False
        if result.get("installed") and "pep440" in result:
            try:
                result["supported"] = specifier.contains(Version(result["pep440"]), prereleases=True)
            except InvalidVersion:
                result.update(failed=True, msg="containerd version %r is not a PEP 440 version" % result["pep440"])
        result["changed"] = False
        return result

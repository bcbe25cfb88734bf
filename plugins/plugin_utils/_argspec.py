# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The argument spec of a module that is all action plugin, read from its documentation: the options a user reads
in ansible-doc are the ones the plugin accepts, with the same types, defaults, choices and aliases."""

from __future__ import annotations

import yaml

from ansible.plugins.doc_fragments.files import ModuleDocFragment as FilesFragment

from ansible_collections.lazypull.soci.plugins.doc_fragments._file_edit import ModuleDocFragment as FileEditFragment

# What an option's documentation says that AnsibleModule's argument spec also knows.
SPEC_KEYS = ("type", "required", "default", "choices", "elements", "aliases", "no_log")


def argument_spec(*documentation):
    """The spec of the options in these DOCUMENTATION strings; a later one overrides an earlier one's option."""
    spec = {}
    for text in documentation:
        for name, option in (yaml.safe_load(text).get("options") or {}).items():
            spec[name] = {key: option[key] for key in SPEC_KEYS if key in option}
    return spec


def file_edit_argument_spec(documentation):
    """An edit module's spec: its doc fragments (ansible.builtin.files, lazypull.soci._file_edit), then its own."""
    return argument_spec(FilesFragment.DOCUMENTATION, FileEditFragment.DOCUMENTATION, documentation)

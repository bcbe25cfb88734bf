#!/usr/bin/python
# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: containerd_version
short_description: Report the node's containerd version, config schema and CRI table
version_added: 1.0.0
description:
  - Runs C(<binary> --version) on the managed node and parses every form containerd prints, including
    distribution builds such as C(1.6.20~ds1), C(2.1.9+unknown), C(v2.2.4) and pre-releases such as C(2.0.0-rc.6).
  - Returns the newest config schema that containerd reads and the TOML table that holds its CRI C(snapshotter),
    which is what M(lazypull.soci.containerd_soci_patch) needs.
  - The range check against O(supported) runs on the controller (PEP 440, with the C(packaging) library).
  - Never reports a change.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  binary:
    description:
      - The containerd executable, a name looked up on the node's C(PATH) or an absolute path.
    type: str
    default: containerd
  supported:
    description:
      - PEP 440 version specifier that the version must satisfy for RV(supported) to be V(true),
        for example V(>=1.7.0,<2.3).
      - Pre-releases are compared as such, so V(2.0.0-rc.6) does not satisfy V(>=2.0.0).
    type: str
    default: ">=1.6.0"
  fail_on_missing:
    description:
      - Fail when the binary is not found. With V(false) the module returns RV(installed=false) instead.
    type: bool
    default: true
requirements:
  - packaging (on the controller)
notes:
  - Output that holds no version fails the task with the text containerd printed.
seealso:
  - module: lazypull.soci.containerd_soci_patch
author:
  - lazypull.soci maintainers (@lazypull)
"""

EXAMPLES = r"""
- name: Read the containerd version
  lazypull.soci.containerd_version:
  register: containerd

- name: Stop on nodes whose containerd SOCI does not support
  ansible.builtin.assert:
    that: containerd.supported
    fail_msg: "containerd {{ containerd.version }} is outside {{ containerd.supported_range }}"

- name: Accept nodes without containerd, e.g. while baking an AMI
  lazypull.soci.containerd_version:
    binary: /usr/bin/containerd
    supported: ">=1.7.16"
    fail_on_missing: false
  register: containerd
"""

RETURN = r"""
installed:
  description: Whether the binary was found.
  returned: always
  type: bool
  sample: true
binary:
  description: Path of the binary that was run.
  returned: when RV(installed=true)
  type: str
  sample: /usr/bin/containerd
version:
  description: The release as V(MAJOR.MINOR.PATCH), without distribution or pre-release suffixes.
  returned: when RV(installed=true)
  type: str
  sample: "1.7.27"
major:
  description: Major version.
  returned: when RV(installed=true)
  type: int
  sample: 1
minor:
  description: Minor version.
  returned: when RV(installed=true)
  type: int
  sample: 7
patch:
  description: Patch version.
  returned: when RV(installed=true)
  type: int
  sample: 27
prerelease:
  description: Pre-release tag such as V(rc.6), or V(null) for a release.
  returned: when RV(installed=true)
  type: str
  sample: null
pep440:
  description: The version in PEP 440 form, as compared with O(supported).
  returned: when RV(installed=true)
  type: str
  sample: "2.0.0rc6"
raw:
  description: The first line containerd printed.
  returned: when RV(installed=true)
  type: str
  sample: containerd github.com/containerd/containerd 1.7.27 05044ec0a9a75232cad458027ca83437aae3f4da
config_version:
  description: Newest config schema this containerd reads (V(2) for 1.x, V(3) for 2.0 to 2.2, V(4) from 2.3).
  returned: when RV(installed=true)
  type: int
  sample: 2
cri_images_table:
  description: The TOML table that holds the CRI C(snapshotter) setting in that schema.
  returned: when RV(installed=true)
  type: str
  sample: plugins."io.containerd.grpc.v1.cri".containerd
supported:
  description: Whether RV(version) satisfies O(supported). V(false) when containerd is not installed.
  returned: always
  type: bool
  sample: true
supported_range:
  description: The specifier that was checked.
  returned: always
  type: str
  sample: ">=1.6.0"
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lazypull.soci.plugins.module_utils._containerd_version import VersionError, parse_version


def find_binary(module, binary):
    if os.path.isabs(binary):
        return binary if os.path.isfile(binary) and os.access(binary, os.X_OK) else None
    return module.get_bin_path(binary, opt_dirs=["/usr/local/bin", "/usr/bin", "/usr/sbin"])


def main():
    module = AnsibleModule(
        argument_spec=dict(
            binary=dict(type="str", default="containerd"),
            supported=dict(type="str", default=">=1.6.0"),
            fail_on_missing=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    binary = module.params["binary"]
    path = find_binary(module, binary)
    if path is None:
        if module.params["fail_on_missing"]:
            module.fail_json(msg="containerd binary %r not found on the node (PATH=%s)"
                                 % (binary, os.environ.get("PATH", "")), installed=False)
        module.exit_json(changed=False, installed=False)
    rc, out, err = module.run_command([path, "--version"])
    if rc != 0:
        module.fail_json(msg="%s --version failed (rc=%d): %s" % (path, rc, (err or out).strip()[:200]),
                         installed=True, rc=rc, stdout=out, stderr=err)
    try:
        facts = parse_version(out)
    except VersionError as exc:
        module.fail_json(msg="%s --version: %s" % (path, exc), installed=True, stdout=out, stderr=err)
    module.exit_json(changed=False, installed=True, binary=path, **facts)


if __name__ == "__main__":
    main()

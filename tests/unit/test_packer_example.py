# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""examples/packer/ with the real Packer (Debian's 1.6.6): `packer fmt -check` on every file, `packer validate` of the
amazon-ebs build (no AWS call: validate only prepares the build), the variables' own checks, and the AMI names it gives
against the names the Karpenter examples select. Packer 1.6.6 carries the amazon and ansible plugins built in and does
not know plugins.pkr.hcl's required_plugins block (Packer 1.7): validate runs without that file. The build itself runs
over SSH into a node in tests/reliability/test_bake.py."""

from __future__ import annotations

import fnmatch
import glob
import os
import shutil
import subprocess

import pytest
import yaml

from ansible_collections.lazypull.soci.tests.unit.containerd_bins import COLLECTION_ROOT

EXAMPLE = os.path.join(COLLECTION_ROOT, "examples", "packer")
KARPENTER = os.path.join(COLLECTION_ROOT, "examples", "karpenter")
PACKER = shutil.which("packer")
pytestmark = pytest.mark.skipif(PACKER is None, reason="packer is not installed (make system installs it)")
ENV = dict(os.environ, CHECKPOINT_DISABLE="1")


def packer(*argv, folder=None, stdin=""):
    return subprocess.run([PACKER] + list(argv), cwd=folder, env=ENV, input=stdin, capture_output=True, text=True,
                          check=False)


@pytest.fixture
def without_plugins_block(tmp_path):
    """The example's folder as Packer 1.6.6 reads it: everything but plugins.pkr.hcl."""
    for path in glob.glob(os.path.join(EXAMPLE, "*")):
        if os.path.basename(path) != "plugins.pkr.hcl":
            shutil.copy2(path, tmp_path)
    return str(tmp_path)


def test_every_template_file_is_formatted_as_packer_writes_it():
    files = sorted(glob.glob(os.path.join(EXAMPLE, "*.pkr.hcl")))
    assert [os.path.basename(f) for f in files] == ["eks-al2023.pkr.hcl", "plugins.pkr.hcl", "variables.pkr.hcl"]
    for path in files:
        result = packer("fmt", "-check", "-diff", path)
        assert result.returncode == 0, path + ":\n" + result.stdout + result.stderr


def test_the_amazon_ebs_build_validates(without_plugins_block):
    for variant in ("standard", "nvidia"):
        result = packer("validate", "-var", "variant=" + variant, ".", folder=without_plugins_block)
        assert result.returncode == 0, result.stdout + result.stderr


def test_validate_catches_what_is_wrong(without_plugins_block):
    """validate fails on a bad variable and on a missing playbook, so its success above means something."""
    result = packer("validate", "-var", "variant=gpu", ".", folder=without_plugins_block)
    assert result.returncode != 0 and "The variant must be standard or nvidia." in result.stdout + result.stderr
    os.remove(os.path.join(without_plugins_block, "bake.yml"))
    result = packer("validate", ".", folder=without_plugins_block)
    assert result.returncode != 0 and "bake.yml" in result.stdout + result.stderr


def test_the_ami_names_are_the_ones_the_karpenter_examples_select(without_plugins_block):
    patterns = {}
    for path in glob.glob(os.path.join(KARPENTER, "*.yaml")):
        with open(path) as handle:
            doc = yaml.safe_load(handle)
        patterns[doc["metadata"]["name"]] = [t["name"] for t in doc["spec"]["amiSelectorTerms"] if "name" in t]
    wanted = {("standard", "x86_64"): "soci-al2023", ("standard", "arm64"): "soci-al2023",
              ("nvidia", "x86_64"): "soci-al2023-nvidia"}
    for (variant, arch), node_class in wanted.items():
        result = packer("console", "-var", "variant=" + variant, "-var", "arch=" + arch, ".",
                        folder=without_plugins_block, stdin="local.ami_name\n")
        name = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
        assert result.returncode == 0 and name, result.stdout + result.stderr
        selected_by = [n for n, globs in patterns.items() if any(fnmatch.fnmatchcase(name, g) for g in globs)]
        assert selected_by == [node_class], "%s is selected by %s" % (name, selected_by)


def test_the_wrapper_playbook_imports_the_install_playbook():
    with open(os.path.join(EXAMPLE, "bake.yml")) as handle:
        plays = yaml.safe_load(handle)
    assert plays == [{"name": "Bake SOCI into the image", "ansible.builtin.import_playbook": "lazypull.soci.install"}]
    with open(os.path.join(EXAMPLE, "requirements.yml")) as handle:
        assert yaml.safe_load(handle)["collections"] == [{"name": "./lazypull-soci.tar.gz", "type": "file"}]

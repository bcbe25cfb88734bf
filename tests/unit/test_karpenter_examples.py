# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""examples/karpenter/ against the EC2NodeClass CRD's own schema (karpenter.k8s.aws/v1, an excerpt carried in
tests/unit/fixtures/karpenter/ with its source): the structural schema with jsonschema, and by hand the CEL rules
(x-kubernetes-validations) an EC2NodeClass selecting a baked AMI by name depends on. No API server here: the CEL
rules themselves are not evaluated."""

from __future__ import annotations

import copy
import glob
import os

import jsonschema
import pytest
import yaml

from ansible_collections.lazypull.soci.tests.unit.containerd_bins import COLLECTION_ROOT

HERE = os.path.dirname(__file__)
with open(os.path.join(HERE, "fixtures", "karpenter", "ec2nodeclass-v1-schema.yaml")) as handle:
    SCHEMA = yaml.safe_load(handle)
EXAMPLES = sorted(glob.glob(os.path.join(COLLECTION_ROOT, "examples", "karpenter", "*.yaml")))


def node_classes():
    found = []
    for path in EXAMPLES:
        with open(path) as handle:
            found += [(os.path.basename(path), doc) for doc in yaml.safe_load_all(handle) if doc]
    return found


def problems(doc):
    """Why the API server would refuse doc: the structural schema, then the CEL rules these examples rely on."""
    out = [error.message for error in jsonschema.Draft7Validator(SCHEMA).iter_errors(doc)]
    spec = doc.get("spec") or {}
    terms = spec.get("amiSelectorTerms") or []
    if ("role" in spec) == ("instanceProfile" in spec):
        out.append("must specify exactly one of ['role', 'instanceProfile']")
    if not any("alias" in term for term in terms) and "amiFamily" not in spec:
        out.append("must specify amiFamily if amiSelectorTerms does not contain an alias")
    if not all({"tags", "id", "name", "alias", "ssmParameter"} & set(term) for term in terms):
        out.append("expected at least one, got none, ['tags', 'id', 'name', 'alias', 'ssmParameter']")
    for key, allowed in (("subnetSelectorTerms", {"tags", "id"}), ("securityGroupSelectorTerms", {"tags", "id", "name"})):
        if not spec.get(key) or not all(allowed & set(term) for term in spec[key]):
            out.append("%s: each term needs one of %s" % (key, sorted(allowed)))
    if sum(1 for mapping in spec.get("blockDeviceMappings") or [] if mapping.get("rootVolume")) > 1:
        out.append("must have only one blockDeviceMappings with rootVolume")
    return out


def test_there_are_examples():
    assert [doc["kind"] for _name, doc in node_classes()].count("EC2NodeClass") >= 2


@pytest.mark.parametrize("name, doc", node_classes(), ids=[doc["metadata"]["name"] for _name, doc in node_classes()])
def test_each_example_is_a_valid_ec2nodeclass(name, doc):
    assert (doc["apiVersion"], doc["kind"]) == ("karpenter.k8s.aws/v1", "EC2NodeClass"), name
    assert doc["metadata"]["name"]
    assert problems(doc) == []
    # AL2023: nodeadm, which reads the baked NodeConfig drop-in at every boot.
    assert doc["spec"]["amiFamily"] == "AL2023"


@pytest.mark.parametrize("change, message", [
    (lambda spec: spec.update(amiFamily="AL2024"), "'AL2024' is not one of"),
    (lambda spec: spec.pop("amiFamily"), "must specify amiFamily"),
    (lambda spec: spec.update(instanceProfile="x"), "exactly one of ['role', 'instanceProfile']"),
    (lambda spec: spec["blockDeviceMappings"][0]["ebs"].update(volumeSize="100GB"), "does not match"),
    (lambda spec: spec.pop("subnetSelectorTerms"), "'subnetSelectorTerms' is a required property"),
])
def test_the_checks_catch_what_the_api_server_refuses(change, message):
    doc = copy.deepcopy(node_classes()[0][1])
    change(doc["spec"])
    assert any(message in problem for problem in problems(doc)), problems(doc)

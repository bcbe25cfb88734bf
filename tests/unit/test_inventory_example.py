# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""examples/inventory/eks.aws_ec2.yml: its groups and connection variables, computed by ansible-core's own Constructable
logic (the calls amazon.aws.aws_ec2 makes for each instance) on host variables shaped as aws_ec2 shapes them. No AWS
here: the instances are a stand-in for describe-instances output, and the plugin's options are carried below."""

from __future__ import annotations

import os

from ansible.inventory.data import InventoryData
from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.inventory import BaseInventoryPlugin, Constructable
from ansible.template import Templar

from ansible_collections.lazypull.soci.tests.unit.containerd_bins import COLLECTION_ROOT

EXAMPLE = os.path.join(COLLECTION_ROOT, "examples", "inventory", "eks.aws_ec2.yml")
# The options of amazon.aws.aws_ec2 (amazon.aws 11.4.0, `ansible-doc -t inventory amazon.aws.aws_ec2`).
AWS_EC2_OPTIONS = {
    "access_key", "allow_duplicated_hosts", "assume_role_arn", "cache", "cache_connection", "cache_plugin",
    "cache_prefix", "cache_timeout", "compose", "endpoint_url", "exclude_filters", "filters", "groups", "hostnames",
    "hostvars_prefix", "hostvars_suffix", "include_filters", "keyed_groups", "leading_separator", "profile", "region",
    "regions", "route53_enabled", "route53_excluded_zones", "route53_hostnames", "secret_key", "session_token",
    "strict", "strict_permissions", "use_contrib_script_compatible_ec2_tag_keys",
    "use_contrib_script_compatible_sanitization", "use_extra_vars", "use_ssm_inventory", "plugin",
}
# The connection variables amazon.aws.aws_ssm reads (amazon.aws 11.4.0).
AWS_SSM_VARS = {"ansible_aws_ssm_bucket_name", "ansible_aws_ssm_region", "ansible_aws_ssm_instance_id",
                "ansible_aws_ssm_profile", "ansible_aws_ssm_document", "ansible_aws_ssm_timeout"}

# As an inventory plugin reads its file (its templates trusted, as the file is the user's own).
CONFIG = DataLoader().load_from_file(EXAMPLE, trusted_as_template=True)


def described(instance_id, **tags):
    """Stand-in for one instance of EC2 describe-instances (the fields the example reads)."""
    return {"InstanceId": instance_id, "State": {"Name": "running"}, "PrivateDnsName": "ip-10-0-1-7.ec2.internal",
            "Placement": {"AvailabilityZone": "us-east-1b"},
            "Tags": [{"Key": key, "Value": value} for key, value in tags.items()]}


def host_vars(instance):
    """As amazon.aws.aws_ec2 prepares them (_prepare_host_vars): snake_case keys, tags as a dict, placement.region."""
    out = camel_dict_to_snake_dict(instance, ignore_list=["Tags"])
    out["tags"] = {tag["Key"]: tag["Value"] for tag in instance.get("Tags", [])}
    out["placement"]["region"] = out["placement"]["availability_zone"][:-1]
    return out


class Plugin(BaseInventoryPlugin, Constructable):
    NAME = "lazypull_example"


def inventory(instances):
    plugin = Plugin()
    plugin.inventory, plugin.loader = InventoryData(), DataLoader()
    plugin.templar = Templar(loader=plugin.loader)
    plugin.inventory.add_group("aws_ec2")
    for instance in instances:
        name, hostvars = instance["InstanceId"], host_vars(instance)  # hostnames: instance-id
        plugin.inventory.add_host(name, group="aws_ec2")
        for key, value in hostvars.items():
            plugin.inventory.set_variable(name, key, value)
        plugin._set_composite_vars(CONFIG["compose"], hostvars, name, strict=True)
        plugin._add_host_to_composed_groups(CONFIG["groups"], hostvars, name, strict=True)
        plugin._add_host_to_keyed_groups(CONFIG["keyed_groups"], hostvars, name, strict=False)
    return plugin.inventory


NODES = [
    described("i-0managed", **{"eks:cluster-name": "my-cluster", "eks:nodegroup-name": "workers"}),
    described("i-0karpenter", **{"eks:cluster-name": "my-cluster", "karpenter.sh/nodepool": "gpu"}),
]


def test_every_option_is_one_the_plugins_have():
    assert CONFIG["plugin"] == "amazon.aws.aws_ec2"
    assert set(CONFIG) - AWS_EC2_OPTIONS == set()
    ssm = {key for key in CONFIG["compose"] if key.startswith("ansible_aws_ssm_")}
    assert ssm and ssm - AWS_SSM_VARS == set()
    # The plugin only reads files named like this.
    assert EXAMPLE.endswith(("aws_ec2.yml", "aws_ec2.yaml"))


def test_the_cluster_s_own_filter_and_ssm_addressing():
    assert CONFIG["filters"]["tag:eks:cluster-name"] and CONFIG["filters"]["instance-state-name"] == "running"
    assert CONFIG["hostnames"] == ["instance-id"]


def test_node_groups_and_node_pools_become_groups():
    groups = inventory(NODES).groups
    assert sorted(groups["eks_nodes"].hosts, key=str) == sorted(groups["aws_ec2"].hosts, key=str)
    assert [h.name for h in groups["nodegroup_workers"].hosts] == ["i-0managed"]
    assert [h.name for h in groups["nodepool_gpu"].hosts] == ["i-0karpenter"]


def test_hosts_are_reached_through_ssm_as_root():
    host = inventory(NODES).get_host("i-0managed")
    assert host.vars["ansible_connection"] == "amazon.aws.aws_ssm"
    assert host.vars["ansible_aws_ssm_region"] == "us-east-1"
    assert host.vars["ansible_aws_ssm_bucket_name"]
    assert host.vars["ansible_become"] is True
    assert host.vars["soci_k8s_node_name"] == "ip-10-0-1-7.ec2.internal"  # the name lazypull.soci.convert drains


def test_an_instance_outside_the_cluster_tags_joins_no_group_of_ours():
    groups = inventory([described("i-0other", Name="bastion")]).groups
    assert not groups.get("eks_nodes") or not groups["eks_nodes"].hosts
    assert not any(name.startswith(("nodegroup_", "nodepool_")) for name in groups)

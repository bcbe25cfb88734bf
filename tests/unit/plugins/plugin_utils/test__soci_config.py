# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""SOCI's config.toml as the role writes it, read by the real soci-snapshotter-grpc (`config dump`)."""

from __future__ import annotations

import itertools
import tomllib

import pytest
import tomlkit

from ansible_collections.lazypull.soci.plugins.plugin_utils._soci_config import (
    PULL_MODES, SociConfigError, build, ignored_keys, problem)
from ansible_collections.lazypull.soci.tests.unit.soci_bins import SEARCH, config_dump, daemon, default_version


@pytest.fixture(scope="module")
def soci():
    path = daemon()
    if path is None:
        pytest.fail("no soci-snapshotter-grpc %s under %s; run `make soci` (tests/soci/build.sh)"
                    % (default_version(), SEARCH))
    return path


def dump_of(soci, config):
    rc, out, err = config_dump(soci, tomlkit.dumps(config))
    assert rc == 0, err
    return out


AUTH_SETS = (["cri"], ["docker_config"], ["cri", "kubeconfig", "docker_config"], ["anonymous"])


@pytest.mark.parametrize("mode,auth,unpigz",
                         list(itertools.product(PULL_MODES, AUTH_SETS, ("", "/usr/bin/unpigz"))))
def test_every_config_the_role_writes_is_read_whole_by_the_real_daemon(soci, mode, auth, unpigz):
    config = build(mode, auth=auth, kubeconfig="/etc/soci-snapshotter-grpc/kubeconfig", unpigz=unpigz)
    assert ignored_keys(config, dump_of(soci, config)) == []


def test_each_credential_source_sets_its_keychain_and_only_its_own(soci):
    both = build("lazy", auth=["cri", "kubeconfig"], kubeconfig="/root/soci.kubeconfig")
    dump = tomllib.loads(dump_of(soci, both))
    assert dump["cri_keychain"]["enable_keychain"] is True
    assert dump["kubeconfig_keychain"] == {"enable_keychain": True, "kubeconfig_path": "/root/soci.kubeconfig"}
    for auth in (["docker_config"], ["anonymous"], []):
        dump = tomllib.loads(dump_of(soci, build("parallel", auth=auth)))
        assert dump["cri_keychain"]["enable_keychain"] is False
        assert dump["kubeconfig_keychain"]["enable_keychain"] is False


@pytest.mark.parametrize("auth,kubeconfig,expected", [
    (["cri", "ecr"], "", "unknown credential source 'ecr'"),
    (["kubeconfig"], "", "needs the path of a kubeconfig"),
])
def test_a_credential_source_that_cannot_work_is_refused(auth, kubeconfig, expected):
    with pytest.raises(SociConfigError, match=expected):
        build("lazy", auth=auth, kubeconfig=kubeconfig)


def test_the_modes_set_what_soci_documents():
    lazy, parallel, fallback = (build(mode) for mode in PULL_MODES)
    assert lazy["pull_modes"] == {"soci_v2": {"enable": True}}
    assert lazy["snapshotter"] == {"allow_invalid_mounts_on_restart": True}
    assert parallel["pull_modes"]["parallel_pull_unpack"]["enable"] is True
    assert "soci_v2" not in parallel["pull_modes"] and "snapshotter" not in parallel
    assert fallback["pull_modes"]["soci_v2"] == {"enable": True}
    assert fallback["pull_modes"]["parallel_pull_unpack"]["experimental_parallel_pull_as_fallback"] is True
    for config in (parallel, fallback):
        assert config["content_store"] == {"type": "containerd"}
        assert config["cri_keychain"] == {"enable_keychain": True, "image_service_path": "/run/containerd/containerd.sock"}
    assert "cri_keychain" not in build("lazy", auth=["docker_config"])
    assert "decompress_streams" not in build("lazy", unpigz="/usr/bin/unpigz")["pull_modes"].get("parallel_pull_unpack", {})


def test_overrides_merge_table_by_table():
    config = build("parallel", overrides={"pull_modes": {"parallel_pull_unpack": {"max_concurrent_downloads": 8}},
                                          "debug": True})
    assert config["pull_modes"]["parallel_pull_unpack"]["max_concurrent_downloads"] == 8
    assert config["pull_modes"]["parallel_pull_unpack"]["enable"] is True
    assert config["debug"] is True
    assert build("parallel")["pull_modes"]["parallel_pull_unpack"]["max_concurrent_downloads"] == -1  # no sharing


def test_unknown_mode_is_refused():
    with pytest.raises(SociConfigError, match="unknown pull mode 'eager' \\(one of: lazy, parallel, lazy\\+parallel-fallback\\)"):
        build("eager")


@pytest.mark.parametrize("override,expected", [
    ({"pull_modes": {"soci_v2": {"enabel": True}}}, "pull_modes.soci_v2.enabel"),
    ({"resolvr": {"insecure": True}}, "resolvr"),
    ({"cri_keychain": {"enable_keychain": True, "image_service": "/run/x.sock"}}, "cri_keychain.image_service"),
])
def test_a_key_soci_does_not_know_is_found_by_the_real_daemon(soci, override, expected):
    config = build("lazy", overrides=override)
    found = ignored_keys(config, dump_of(soci, config))
    assert [entry[0] for entry in found] == [expected]
    known = found[0][1]
    assert known and expected.rsplit(".", 1)[-1] not in known
    if expected == "pull_modes.soci_v2.enabel":
        assert "enable" in known


def test_user_named_tables_are_known_keys(soci):
    """Tables whose keys the user names (registry hosts, decompressors) show up in the dump as given."""
    config = build("parallel", unpigz="/usr/bin/unpigz", overrides={"resolver": {"host": {"127.0.0.1:5123": {
        "mirrors": [{"host": "127.0.0.1:5125", "insecure": True}]}}}})
    assert ignored_keys(config, dump_of(soci, config)) == []


def test_a_bad_value_is_refused_by_the_real_daemon(soci):
    rc, _out, err = config_dump(soci, tomlkit.dumps(build("parallel", overrides={"max_concurrency": "many"})))
    assert rc == 1
    assert "cannot decode TOML string into struct field config.Config.MaxConcurrency of type int64" in err


def test_output_that_is_not_toml_is_a_clear_error():
    with pytest.raises(SociConfigError, match="cannot read the output of soci-snapshotter-grpc config dump"):
        ignored_keys({"debug": True}, "this is [not toml")


def test_problem_names_the_file_and_the_daemons_own_reason(soci):
    config = build("parallel", overrides={"max_concurrency": "many"})
    rc, out, err = config_dump(soci, tomlkit.dumps(config))
    assert problem(config, rc, out, err, "/etc/soci-snapshotter-grpc/config.toml", 30) == (
        'soci-snapshotter-grpc refuses the new /etc/soci-snapshotter-grpc/config.toml: failed to load config file '
        '"/etc/soci-snapshotter-grpc/config.toml": toml: cannot decode TOML string into struct field '
        'config.Config.MaxConcurrency of type int64')


def test_problem_lists_the_keys_soci_would_ignore(soci):
    config = build("lazy", overrides={"pull_modes": {"soci_v2": {"enabel": True}}})
    rc, out, err = config_dump(soci, tomlkit.dumps(config))
    message = problem(config, rc, out, err, "/etc/soci-snapshotter-grpc/config.toml", 30)
    assert message.startswith("soci-snapshotter-grpc would ignore these keys of the new "
                              "/etc/soci-snapshotter-grpc/config.toml (check soci_config_overrides): "
                              "pull_modes.soci_v2.enabel (known there: ")
    assert "\n" not in message


def test_problem_is_empty_for_a_config_soci_reads_whole_and_says_when_it_timed_out(soci):
    config = build("lazy")
    assert problem(config, *config_dump(soci, tomlkit.dumps(config)), "/x.toml", 30) == ""
    assert problem(config, 124, "", "", "/x.toml", 30) == "soci-snapshotter-grpc did not read the new /x.toml within 30 s"

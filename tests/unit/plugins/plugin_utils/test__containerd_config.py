# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The TOML patch engine, checked by real containerd binaries (`containerd --config FILE config dump`)."""

from __future__ import annotations

import difflib
import subprocess

import pytest
import tomlkit

from ansible_collections.lazypull.soci.plugins.plugin_utils._containerd_config import (
    ConfigError, effective_problem, patch)

from ansible_collections.lazypull.soci.tests.unit.containerd_bins import dump, fixture_text

SOCK = "/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock"
ROOT = "/var/lib/soci-snapshotter-grpc"

# fixture -> config schema it is written in
SCHEMAS = {
    "eks-al2-template.toml": 2,
    "gpu-schema1.toml": 1,
    "al2023-nodeadm-v2.toml": 2,
    "al2023-nodeadm-v3.toml": 3,
    "already-soci.toml": 2,
    "comments-other-proxy.toml": 2,
    "dotted-keys.toml": 2,
    "inline-tables.toml": 2,
    "minimal-v2.toml": 2,
    "schema4.toml": 4,
}
MANAGED_KEYS = ("snapshotter", "disable_snapshot_annotations", "discard_unpacked_layers")
# containerd 2.x migrates a version 2 file to version 3 in memory, but drops `snapshotter` unless the CRI
# section also defines runtimes (containerd/containerd#10120 and its kin; seen with containerd 2.1.9). These
# fixtures have runtimes and must work there; for the others, validation must name the cause instead.
MIGRATES_ON_CONTAINERD_2 = {"eks-al2-template.toml", "al2023-nodeadm-v2.toml"}


def reads(containerd, schema):
    """Whether this containerd applies the CRI settings of a file in `schema` (established below, not assumed)."""
    if containerd.major == 1:
        return schema in (1, 2)
    return schema in (2, 3) if containerd.minor < 3 else schema in (2, 3, 4)


def effective(stdout):
    data = tomlkit.parse(stdout).unwrap()
    table = data["plugins"]["io.containerd.grpc.v1.cri"]["containerd"] if data["version"] == 2 \
        else data["plugins"]["io.containerd.cri.v1.images"]
    return table.get("snapshotter"), table.get("disable_snapshot_annotations"), data.get("proxy_plugins", {})


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_patched_fixture_is_read_by_containerd(name, containerd, tmp_path):
    original = fixture_text("containerd", name)
    result = patch(original, name)
    assert result.config_version == SCHEMAS[name]
    rc, out, err = dump(containerd, write(tmp_path, name, result.text))
    if SCHEMAS[name] > (2 if containerd.major == 1 else 3):
        # A schema newer than this containerd: 1.7 and 2.x refuse it, 1.6 silently reads it as version 2.
        # Either way the effective-config check that `validate` runs reports it.
        if rc != 0:
            assert "version" in err
        else:
            assert "reads at most version" in effective_problem(out, name, "present", "soci", SOCK, SCHEMAS[name])
        return
    assert rc == 0, err
    if not reads(containerd, SCHEMAS[name]):
        # containerd 2.x drops the CRI section of a version 1 file; validate says so instead of passing.
        assert "ignores the CRI section of a version 1 file" in effective_problem(
            out, name, "present", "soci", SOCK, SCHEMAS[name])
        return
    snapshotter, annotations_disabled, proxies = effective(out)
    problem = effective_problem(out, name, "present", "soci", SOCK, SCHEMAS[name])
    if containerd.major >= 2 and SCHEMAS[name] == 2 and name not in MIGRATES_ON_CONTAINERD_2 and snapshotter != "soci":
        assert "containerd/containerd#10120" in problem
        return
    assert snapshotter == "soci"
    assert annotations_disabled is False
    assert proxies["soci"]["type"] == "snapshot"
    assert proxies["soci"]["address"] == SOCK
    if (containerd.major, containerd.minor) >= (1, 7):  # containerd 1.6 has no proxy plugin exports
        assert proxies["soci"]["exports"]["root"] == ROOT
    assert problem is None


@pytest.mark.parametrize("name", sorted(set(SCHEMAS) - {"already-soci.toml"}))
def test_absent_after_present_gives_back_the_effective_config(name, containerd, tmp_path):
    original = fixture_text("containerd", name)
    restored = patch(patch(original, name).text, name, state="absent")
    assert restored.changed
    if not reads(containerd, SCHEMAS[name]):
        # This containerd cannot read the schema (see above); the restored text must still be the original.
        assert restored.text == original
        return
    path = write(tmp_path, "config.toml", original)
    rc, before, err = dump(containerd, path)
    assert rc == 0, err
    write(tmp_path, "config.toml", restored.text)
    rc, after, err = dump(containerd, path)
    assert rc == 0, err
    if name == "inline-tables.toml":
        # Inline values cannot carry markers: the snapshotter comes back, disable_snapshot_annotations stays
        # (containerd 2.x drops both while migrating this runtimes-less file, see MIGRATES_ON_CONTAINERD_2).
        snapshotter, annotations_disabled, proxies = effective(after)
        assert snapshotter == "overlayfs" and "soci" not in proxies
        assert annotations_disabled is (containerd.major >= 2)
        return
    assert after == before
    assert restored.text == original


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_second_patch_changes_nothing(name):
    once = patch(fixture_text("containerd", name), name)
    twice = patch(once.text, name)
    assert not twice.changed
    assert twice.text == once.text
    assert twice.keys == []


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_only_soci_lines_change(name):
    original = fixture_text("containerd", name)
    patched = patch(original, name).text
    removed = [line for line in difflib.ndiff(original.splitlines(), patched.splitlines()) if line.startswith("- ")]
    for line in removed:
        # An inline proxy_plugins table is one line, which the new plugin necessarily changes.
        assert any(key in line for key in MANAGED_KEYS + ("proxy_plugins = {",)), "unrelated line changed: %r" % line
    assert tomlkit.parse(patched).unwrap().get("version") == tomlkit.parse(original).unwrap().get("version")


def test_already_configured_file_is_left_alone():
    text = fixture_text("containerd", "already-soci.toml")
    result = patch(text, "already-soci.toml")
    assert not result.changed and result.text == text


def test_eks_al2_template_keeps_its_placeholder_and_layout():
    original = fixture_text("containerd", "eks-al2-template.toml")
    patched = patch(original, "containerd-config.toml").text
    assert 'sandbox_image = "SANDBOX_IMAGE"' in patched
    assert patched.startswith(original.split("[plugins")[0])
    assert patched.count('[plugins."io.containerd.grpc.v1.cri".containerd]') == 1
    assert patched.count("[proxy_plugins.soci]") == 1
    assert 'snapshotter = "soci" # lazypull.soci: added' in patched


def test_comments_and_other_proxy_plugins_survive():
    original = fixture_text("containerd", "comments-other-proxy.toml")
    patched = patch(original, "config.toml").text
    for line in original.splitlines():
        if "snapshotter =" not in line:
            assert line in patched
    assert 'snapshotter = "soci" # the default, spelled out # lazypull.soci: was "overlayfs"' in patched
    data = tomlkit.parse(patched).unwrap()
    assert set(data["proxy_plugins"]) == {"stargz", "soci"}
    assert patched.count("[proxy_plugins]") == 1


def test_config_default_of_each_containerd(containerd, tmp_path):
    """The file `containerd config default` writes (the kubeadm/generic layout), patched and read back."""
    default = subprocess.run([containerd.path, "config", "default"], capture_output=True, text=True, check=True).stdout
    result = patch(default, "config.toml")
    assert result.config_version == (2 if containerd.major == 1 else 3)
    assert 'snapshotter = "soci" # lazypull.soci: was "overlayfs"' in result.text or \
        "snapshotter = \"soci\" # lazypull.soci: was 'overlayfs'" in result.text
    rc, out, err = dump(containerd, write(tmp_path, "config.toml", result.text))
    assert rc == 0, err
    assert effective(out)[0] == "soci"
    assert effective_problem(out, "config.toml", "present", "soci", SOCK, result.config_version) is None
    restored = patch(result.text, "config.toml", state="absent")
    assert restored.text == default


@pytest.mark.parametrize("patch_dropin", [False, True])
def test_imports_with_nvidia_ctk_dropin(containerd, tmp_path, patch_dropin):
    """nvidia-ctk's drop-in carries a whole CRI section; on containerd 1.x it replaces the main file's."""
    conf_d = tmp_path / "conf.d"
    conf_d.mkdir()
    dropin = fixture_text("containerd", "nvidia-ctk-dropin.toml")
    if patch_dropin:
        dropin = patch(dropin, "99-nvidia.toml").text
    (conf_d / "99-nvidia.toml").write_text(dropin)
    main = patch(fixture_text("containerd", "imports-main.toml").replace("@CONF_D@", str(conf_d)), "config.toml")
    rc, out, err = dump(containerd, write(tmp_path, "config.toml", main.text))
    assert rc == 0, err
    data = tomlkit.parse(out).unwrap()
    runtime_table = data["plugins"]["io.containerd.grpc.v1.cri"]["containerd"] if data["version"] == 2 \
        else data["plugins"]["io.containerd.cri.v1.runtime"]["containerd"]
    assert runtime_table["default_runtime_name"] == "nvidia"
    problem = effective_problem(out, "config.toml", "present", "soci", SOCK, 2)
    if patch_dropin or containerd.major >= 2:
        assert problem is None and effective(out)[0] == "soci"
    else:
        assert "overrides the CRI section; patch that file too" in problem


def test_schema3_is_not_for_containerd_1(containerd, tmp_path):
    text = patch(fixture_text("containerd", "al2023-nodeadm-v3.toml"), "config.toml").text
    rc, out, err = dump(containerd, write(tmp_path, "config.toml", text))
    if containerd.major >= 2:
        assert rc == 0 and effective(out)[0] == "soci"
    elif containerd.minor >= 7:
        assert rc != 0 and "version `3` is not supported" in (out + err)
    else:
        assert rc == 0 and effective(out)[0] != "soci"


def test_created_file_for_each_containerd(containerd, tmp_path):
    schema = 2 if containerd.major == 1 else 3
    result = patch("", "config.toml", config_version=str(schema))
    assert result.text.startswith("version = %d\n" % schema)
    rc, out, err = dump(containerd, write(tmp_path, "config.toml", result.text))
    assert rc == 0, err
    assert effective(out)[0] == "soci"


def test_options_reach_the_file():
    text = fixture_text("containerd", "al2023-nodeadm-v3.toml")
    result = patch(text, "config.toml", snapshotter="lazy", address="/run/lazy.sock", root="",
                   discard_unpacked_layers=False, disable_snapshot_annotations=True)
    data = tomlkit.parse(result.text).unwrap()
    images = data["plugins"]["io.containerd.cri.v1.images"]
    assert images["snapshotter"] == "lazy"
    assert images["discard_unpacked_layers"] is False
    assert images["disable_snapshot_annotations"] is True
    assert data["proxy_plugins"] == {"lazy": {"type": "snapshot", "address": "/run/lazy.sock"}}
    assert patch(result.text, "config.toml", state="absent", snapshotter="lazy").text == text


def test_absent_without_markers_restores_the_snapshotter():
    text = fixture_text("containerd", "already-soci.toml")
    result = patch(text, "config.toml", state="absent", restore_snapshotter="native")
    data = tomlkit.parse(result.text).unwrap()
    assert data["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["snapshotter"] == "native"
    assert "soci" not in data.get("proxy_plugins", {})
    assert not patch(result.text, "config.toml", state="absent").changed


def test_absent_leaves_another_snapshotter_alone():
    text = fixture_text("containerd", "comments-other-proxy.toml").replace('"overlayfs"', '"stargz"')
    result = patch(text, "config.toml", state="absent")
    assert not result.changed and result.text == text


@pytest.mark.parametrize("name, message", [
    ("malformed.toml", r"^malformed.toml: invalid TOML at line 4, column \d+: "),
])
def test_malformed_toml_names_file_and_line(name, message):
    with pytest.raises(ConfigError, match=message):
        patch(fixture_text("containerd", name), name)


@pytest.mark.parametrize("text, message", [
    ("version = 9\n", r"unsupported containerd config version 9"),
    ('version = "2"\n', r'unsupported containerd config version "2"'),
    ('version = 2\nplugins = 3\n', r"plugins is a integer, expected a table"),
    ('version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.snapshotter]\nx = 1\n',
     r"containerd.snapshotter is a table, expected a value"),
])
def test_unusable_files_are_refused(text, message):
    with pytest.raises(ConfigError, match=message):
        patch(text, "config.toml")


def test_config_version_must_match_the_file():
    with pytest.raises(ConfigError, match=r"config version 2 but config_version=3 was requested"):
        patch(fixture_text("containerd", "eks-al2-template.toml"), "config.toml", config_version="3")
    assert patch(fixture_text("containerd", "eks-al2-template.toml"), "c", config_version="2").changed


def test_schema_neutral_file_gets_the_requested_version():
    result = patch('root = "/var/lib/containerd"\n', "config.toml", config_version="3")
    assert result.text.startswith('version = 3\nroot = "/var/lib/containerd"\n')
    assert result.cri_table == 'plugins."io.containerd.cri.v1.images"'

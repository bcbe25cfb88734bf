# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Credentials never reach a diff: the values of credential keys are masked, nothing else changes."""

from __future__ import annotations

import os

import pytest

from ansible_collections.lazypull.soci.plugins.plugin_utils._containerd_config import patch
from ansible_collections.lazypull.soci.plugins.plugin_utils._redact import MASK, redact
from ansible_collections.lazypull.soci.tests.unit.containerd_bins import fixture_text

SECRETS = ("planted-secret-password", "cGxhbnRlZC1zZWNyZXQtYXV0aA==", "planted-secret-token")
FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures")


def test_registry_credentials_are_masked_before_and_after_a_patch():
    text = fixture_text("containerd", "registry-auth.toml")
    new_text = patch(text, "/etc/containerd/config.toml").text
    assert new_text != text
    for shown in (redact(text), redact(new_text)):
        assert not [secret for secret in SECRETS if secret in shown]
        assert shown.count(MASK) == 3
        assert 'username = "lazypull"' in shown and 'sandbox_image = "registry.k8s.io/pause:3.9"' in shown
    assert all(secret in new_text for secret in SECRETS)  # the file itself keeps them


@pytest.mark.parametrize("text,expected", [
    ('password = "a\\"b"\n', 'password = "%s"\n' % MASK),
    ("a.b.password = 'x'\n", "a.b.password = '%s'\n" % MASK),
    ('identitytoken = """x\ny"""\n', 'identitytoken = """%s"""\n' % MASK),
    ('{"imageServiceEndpoint": "unix:///s", "registryToken": "x"}', '{"imageServiceEndpoint": "unix:///s", '
                                                                    '"registryToken": "%s"}' % MASK),
    ("kind: KubeletConfiguration\npassword: x y # note\n", "kind: KubeletConfiguration\npassword: %s # note\n" % MASK),
    ("  - secret: 'x'\n", "  - secret: '%s'\n" % MASK),
])
def test_each_syntax_is_masked(text, expected):
    assert redact(text) == expected


def test_files_without_credentials_are_shown_as_they_are():
    for kind in ("containerd", "kubelet"):
        folder = os.path.join(FIXTURES, kind)
        for name in sorted(os.listdir(folder)):
            if name == "registry-auth.toml":
                continue
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                text = handle.read()
            assert redact(text) == text, name

# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shipped playbooks turn pipelining on, unless the user's inventory or Ansible configuration says otherwise
(a host whose sudo requires a tty must be able to keep it off).

Runs lazypull.soci.verify (read-only: its probe reads versions and unit states) against this machine over the local
connection and reads, at -vvv, how Ansible ran its first module: a pipelined module goes to Python's stdin, an
unpipelined one is copied to the node first (a PUT of AnsiballZ_*.py)."""

from __future__ import annotations

import sys

import pytest

from conftest import run

INVENTORY = """all:
  hosts:
    this-machine:
      ansible_connection: local
      ansible_become: false
      ansible_python_interpreter: %s
%s"""


def module_copies(tmp_path, host_vars="", env=None):
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(INVENTORY % (sys.executable, host_vars))
    result = run(["ansible-playbook", "-vvv", "-i", str(inventory), "lazypull.soci.verify"],
                 env=dict(ANSIBLE_NOCOLOR="1", **(env or {})), timeout=300)
    first_task = result.stdout.split("TASK [Read the node's state in one round trip]", 1)
    assert len(first_task) == 2, result.stdout[-3000:]
    module_run = first_task[1].split("TASK [", 1)[0]
    assert "EXEC" in module_run, module_run[-3000:]
    return module_run.count("PUT ") + module_run.count("AnsiballZ_command.py")


@pytest.fixture(autouse=True)
def unset_pipelining(monkeypatch):
    """The test suites' own setting (ANSIBLE_PIPELINING=true) would decide instead of the playbook."""
    monkeypatch.delenv("ANSIBLE_PIPELINING", raising=False)


def test_on_by_default(tmp_path):
    assert module_copies(tmp_path) == 0


@pytest.mark.parametrize("how", ["inventory", "environment"])
def test_off_where_the_user_says_so(tmp_path, how):
    if how == "inventory":
        copies = module_copies(tmp_path, host_vars="      ansible_pipelining: false\n")
    else:
        copies = module_copies(tmp_path, env={"ANSIBLE_PIPELINING": "false"})
    assert copies > 0

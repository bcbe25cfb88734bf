# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The patch engine on generated containerd configs, with real containerd as the oracle.

Hypothesis writes configs in every spelling (tests/unit/containerd_configs.py); only those the matching real
containerd accepts are kept (schema 2: containerd 1.6 and 1.7, schema 3: containerd 2.1). On each of them
`present` must give the SOCI settings and change nothing else in `containerd config dump`, a second `present`
must change nothing, `absent` after `present` must give back the original, every comment and untouched line
must survive byte for byte, and the time must stay linear in the size (tests/unit/containerd_checks.py).
Corrupted configs must fail with one line naming the file. The runs are seeded (derandomize, no example
database): each `make units` runs the same cases, 520 of them.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from ansible_collections.lazypull.soci.plugins.plugin_utils._containerd_config import ConfigError
from ansible_collections.lazypull.soci.tests.unit.containerd_checks import (
    PATH, check_patch, dumps, readers, timed_patch)
from ansible_collections.lazypull.soci.tests.unit.containerd_configs import configs

# Cases per run: 2 x 220 configs containerd accepts and 80 corrupted ones; make units runs the three tests on
# both CPUs, in about a minute.
EXAMPLES = {2: 220, 3: 220, "corrupt": 80}
SETTINGS = settings(derandomize=True, database=None, deadline=None, print_blob=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
KINDS = ("duplicate-header", "duplicate-key", "unterminated-string", "unclosed-header", "garbage", "bad-escape",
         "redefined-key")
KEY_LINE = re.compile(r"""^[ \t]*[A-Za-z0-9_"'][^=#]*=""")


@pytest.mark.parametrize("schema", [2, 3])
def test_patch_holds_on_configs_containerd_accepts(schema):
    containerds = readers(schema)
    checked = []

    @settings(SETTINGS, max_examples=EXAMPLES[schema])
    @given(case=configs(schema))
    def run(case):
        note(case.description)
        note(case.text)
        assume(check_patch(case.text, schema, containerds, case.soci))
        checked.append(case)

    run()
    assert len(checked) >= EXAMPLES[schema]


def mutate(text, kind, where):
    """`text` made invalid in one way, or None when it has nothing to break that way."""
    lines = text.splitlines(keepends=True)
    candidates = {
        "duplicate-header": [i for i, line in enumerate(lines) if line.lstrip().startswith("[")],
        "duplicate-key": [i for i, line in enumerate(lines) if KEY_LINE.match(line)],
        "unterminated-string": [i for i, line in enumerate(lines) if '= "' in line and '"""' not in line],
        "unclosed-header": [i for i, line in enumerate(lines) if line.lstrip().startswith("[") and "]" in line],
        "garbage": list(range(len(lines) + 1)),
        "bad-escape": [i for i, line in enumerate(lines) if '= "' in line and '"""' not in line],
        "redefined-key": [0],
    }[kind]
    if not candidates:
        return None
    index = candidates[where % len(candidates)]
    if kind == "garbage":
        return "".join(lines[:index] + ["this is not toml\n"] + lines[index:])
    line = lines[index]
    if kind == "duplicate-header":
        lines.append(("\n" if not text.endswith("\n") else "") + line)
    elif kind == "redefined-key":
        lines.insert(0, "version.minor = 1\n")
    elif kind == "duplicate-key":
        lines.insert(index, line if line.endswith("\n") else line + "\n")
    elif kind == "unterminated-string":
        head, tail = line.split('= "', 1)
        lines[index] = head + '= "' + tail.replace('"', "", 1)
    elif kind == "unclosed-header":
        lines[index] = line.replace("]", "", 1)
    else:
        lines[index] = line.replace('= "', '= "\\uZZZZ', 1)
    return "".join(lines)


def test_corrupt_configs_fail_with_one_line_naming_the_file():
    corrupted = []

    @settings(SETTINGS, max_examples=EXAMPLES["corrupt"])
    @given(case=st.sampled_from([2, 3]).flatmap(configs), kind=st.sampled_from(KINDS), where=st.integers(0, 1000))
    def run(case, kind, where):
        text = mutate(case.text, kind, where)
        assume(text is not None)
        note(text)
        # Only what containerd refuses too: TOML that is broken for every reader.
        assume(all(rc != 0 for rc, out, err in dumps([(c, text) for c in readers(case.schema)])))
        corrupted.append(kind)
        for state in ("present", "absent"):
            with pytest.raises(ConfigError) as failure:
                timed_patch(text, state=state)
            message = str(failure.value)
            assert message.startswith(PATH + ": ") and "\n" not in message, message

    run()
    assert len(corrupted) >= EXAMPLES["corrupt"]

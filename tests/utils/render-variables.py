# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Render docs/variables.md from the role's roles/soci/meta/argument_specs.yml, the one place the variables are
described (`make variables` writes it; `make docs` fails when the committed page differs from what this renders).
Usage: render-variables.py ARGUMENT_SPECS  (the page goes to stdout)."""

import json
import re
import sys

import yaml

# Ansible's documentation markup, as plain Markdown: C(code), V(value), O(option), I(italic), U(url), L(text,url).
MARKUP = [
    (re.compile(r"[CVO]\(([^()]*(?:\([^()]*\)[^()]*)*)\)"), r"`\1`"),
    (re.compile(r"I\(([^()]*)\)"), r"*\1*"),
    (re.compile(r"U\(([^()]*)\)"), r"<\1>"),
    (re.compile(r"L\(([^,()]*),\s*([^()]*)\)"), r"[\1](\2)"),
]


def plain(text):
    for pattern, replacement in MARKUP:
        text = pattern.sub(replacement, text)
    return text.replace("|", "\\|")


def value(data):
    return "`%s`" % json.dumps(data) if not isinstance(data, str) else ("`%s`" % data if data else '`""`')


def render(specs):
    main = specs["argument_specs"]["main"]
    out = ["# Role variables (lazypull.soci.soci)", "",
           "Generated from `roles/soci/meta/argument_specs.yml` by `tests/utils/render-variables.py` (`make variables`); "
           "`ansible-doc -t role lazypull.soci.soci` shows the same.", ""]
    descriptions = main["description"] if isinstance(main["description"], list) else [main["description"]]
    out += ["- %s" % plain(" ".join(line.split())) for line in descriptions] + [""]
    out += ["| variable | type | default | description |", "|---|---|---|---|"]
    for name, option in main["options"].items():
        kind = option.get("type", "str")
        if kind == "list" and option.get("elements"):
            kind = "list of %s" % option["elements"]
        description = option.get("description", "")
        lines = description if isinstance(description, list) else [description]
        text = " ".join(plain(" ".join(line.split())) for line in lines)
        if option.get("choices"):
            text += " Choices: %s." % ", ".join(value(choice) for choice in option["choices"])
        default = value(option["default"]) if "default" in option else ("required" if option.get("required") else "-")
        out.append("| `%s` | %s | %s | %s |" % (name, kind, default, text))
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    with open(sys.argv[1]) as handle:
        sys.stdout.write(render(yaml.safe_load(handle)))

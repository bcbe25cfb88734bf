#!/usr/bin/env bash
# Print the Debian archive URI this machine's apt configuration uses (not the security archive), so that
# scripts reach the same package registry without naming it.
set -euo pipefail
{ cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^URIs:[[:space:]]*//p' | tr ' ' '\n'
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
    | sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]\+\).*/\2/p'
} | grep -E '/debian/?$' | grep -v security | head -n 1 || true

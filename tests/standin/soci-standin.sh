#!/bin/sh
# TEST STAND-IN for the `soci` CLI of the SOCI release. It is not SOCI.
case "$1" in
  --version|-v) echo "soci version v@VERSION@ lazypull-test-standin" ;;
  *) echo "soci (stand-in): only --version is implemented" >&2; exit 2 ;;
esac

# shellcheck shell=bash
# Sourced by build.sh and pin.sh: where the real SOCI build keeps its Go caches (all under the project's .cache,
# never the machine's home), the default version, and the checks every script needs first.
# The Go module proxy is the one this machine's Go environment names (GOPROXY); nothing here names a host.

# shellcheck disable=SC2034  # used by the scripts that source this file
SOCI_MODULE=github.com/awslabs/soci-snapshotter
# The newest stable release the Go module proxy serves and tests/soci/pins has pins for; SOCI_VERSION overrides it.
# shellcheck disable=SC2034
SOCI_DEFAULT_VERSION=0.16.1

soci_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
soci_root=$(cd "$soci_here/../.." && pwd)
SOCI_CACHE=${SOCI_CACHE:-$soci_root/.cache/soci}
export GOMODCACHE=$SOCI_CACHE/go-mod GOCACHE=$SOCI_CACHE/go-build GOPATH=$SOCI_CACHE/go-path
# No toolchain downloads, no VCS stamp from this repository, a module cache that `rm -rf` can delete.
export GOTOOLCHAIN=local GOFLAGS="-modcacherw -buildvcs=false" GO111MODULE=on

die() { echo "${0##*/}: $*" >&2; exit 1; }

# One line from what go printed: its last error line, and the proxy's own words ("server response:") if any.
go_error() {
  local line answer
  line=$(grep -v -e '^[[:space:]]*$' -e '^[[:space:]]*server response:' "$1" | tail -n 1)
  answer=$(sed -n 's/^[[:space:]]*server response:[[:space:]]*//p' "$1" | head -n 1)
  printf '%s%s' "$line" "${answer:+ (the proxy answered: $answer)}"
}

# go_check MIN: go must be on PATH and at least MIN (the go directive of the pinned modules).
go_check() {
  local min=$1 have
  command -v go >/dev/null 2>&1 || die "go is not installed (the real SOCI build needs Go >= $min, gcc and static libz)"
  have=$(go env GOVERSION 2>/dev/null) || die "go env GOVERSION failed: is $(command -v go) a working Go?"
  have=${have#go}
  [ "$(printf '%s\n%s\n' "$min" "${have%%[!0-9.]*}" | sort -V | head -n 1)" = "$min" ] \
    || die "go $have is too old: SOCI needs Go >= $min (GOTOOLCHAIN=local: no toolchain is downloaded)"
}

# go_fetch WHAT COMMAND...: run a go command that may reach the module proxy and print its output; on failure, exit
# with one line saying what the proxy (or go) answered.
go_fetch() {
  local what=$1 err out answer
  shift
  err=$(mktemp)
  if out=$("$@" 2>"$err"); then
    rm -f "$err"
    printf '%s\n' "$out"
    return 0
  fi
  answer=$(go_error "$err")
  rm -f "$err"
  die "cannot get $what from the Go module proxy (GOPROXY=$(go env GOPROXY)): $answer"
}

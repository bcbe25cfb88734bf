#!/usr/bin/env bash
# Build the REAL SOCI snapshotter (soci-snapshotter-grpc and the soci CLI) from the Go module proxy, the way the
# upstream Makefile builds a release, both flavours of scripts/create-releases.sh:
#   dynamic: go build -ldflags '-X .../version.Version=v<V> -X .../version.Revision=<commit> -s -w'
#   static:  the same plus -tags "osusergo netgo static_build" and -extldflags "-static"   (upstream: STATIC=1)
#   build.sh [VERSION]     (default: SOCI_VERSION, else the newest release pinned in tests/soci/pins)
# Output, built once per pinned input (go.mod, go.sum, Go version, flags) and reused after that:
#   .cache/soci/<VERSION>/{dynamic,static}/{soci-snapshotter-grpc,soci}, NOTICE.md, THIRD_PARTY_LICENSES
# The last line on stdout is that folder; progress goes to stderr. Needs Go, gcc and static libz (zlib1g-dev).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=env.sh
. "$(dirname "$0")/env.sh"
version=${1:-${SOCI_VERSION:-$SOCI_DEFAULT_VERSION}}
version=${version#v}
pin=$soci_here/pins/v$version
if [ ! -f "$pin/go.mod" ] || [ ! -f "$pin/go.sum" ]; then
  die "no pins for SOCI $version in ${pin#"$soci_root"/} (pinned: $(cd "$soci_here/pins" && echo v*)); run tests/soci/pin.sh $version"
fi

go_min=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$pin/go.mod")
go_check "$go_min"
cmd_version=$(go mod edit -json "$pin/go.mod" | python3 -c '
import json, sys
print(next(r["Version"] for r in json.load(sys.stdin)["Require"] if r["Path"] == sys.argv[1]))' "$SOCI_MODULE/cmd")
# Upstream's Makefile: VERSION = `git describe` (the tag), REVISION = `git rev-parse HEAD`. The module proxy names
# the commit only by the 12-digit prefix in the pseudo-version of the nested cmd module; that is used.
revision=${cmd_version##*-}
pkg=$SOCI_MODULE
ldflags="-X $pkg/version.Version=v$version -X $pkg/version.Revision=$revision -s -w"
static_tags="osusergo netgo static_build"

out=$SOCI_CACHE/$version
stamp=$( { cat "$pin/go.mod" "$pin/go.sum"; go version; echo "$ldflags|$static_tags|-extldflags -static"; } \
  | sha256sum | cut -d' ' -f1)
if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ]; then
  echo "real SOCI v$version already built in ${out#"$soci_root"/}: $("$out/dynamic/soci-snapshotter-grpc" --version)" >&2
  echo "$out"
  exit 0
fi

command -v gcc >/dev/null 2>&1 || die "gcc is not installed: SOCI's gzip index code is cgo (Debian: gcc, zlib1g-dev)"
libz=$(gcc -print-file-name=libz.a)
if [ "$libz" = libz.a ] || [ ! -f "$libz" ]; then
  die "static libz (libz.a) is missing: SOCI links -l:libz.a (Debian: zlib1g-dev)"
fi

start=$(date +%s)
first=""
[ -d "$GOCACHE" ] || first=" (first time: several minutes)"
echo "building real SOCI v$version from the Go module proxy$first" >&2
echo "  $SOCI_MODULE/cmd@$cmd_version, modules and build cache in ${SOCI_CACHE#"$soci_root"/}" >&2
(cd "$pin" && go_fetch "the modules SOCI v$version needs" go mod download) >/dev/null
src=$(cd "$pin" && go list -m -f '{{.Dir}}' "$SOCI_MODULE")

tmp=$out.tmp
rm -rf "$tmp" && mkdir -p "$tmp/dynamic" "$tmp/static"
export CGO_ENABLED=1
for program in soci-snapshotter-grpc soci; do
  echo "  go build $program (dynamic)" >&2
  (cd "$pin" && go build -mod=readonly -o "$tmp/dynamic/$program" -ldflags "$ldflags" "$pkg/cmd/$program")
  echo "  go build $program (static)" >&2
  (cd "$pin" && go build -mod=readonly -o "$tmp/static/$program" -tags "$static_tags" \
    -ldflags "$ldflags -extldflags \"-static\"" "$pkg/cmd/$program")
done
install -m 0644 "$src/NOTICE.md" "$src/THIRD_PARTY_LICENSES" "$tmp/"
for flavour in dynamic static; do
  got=$("$tmp/$flavour/soci-snapshotter-grpc" --version)
  case $got in
    *" version v$version $revision") ;;
    *) die "the $flavour soci-snapshotter-grpc says \"$got\", not version v$version $revision" ;;
  esac
done
echo "$stamp" >"$tmp/.stamp"
rm -rf "$out" && mv "$tmp" "$out"
echo "built real SOCI v$version in $(($(date +%s) - start)) s: $got" >&2
echo "$out"

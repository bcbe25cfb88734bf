#!/usr/bin/env bash
# Write tests/soci/pins/v<VERSION>/go.mod + go.sum: a main module of ours that builds SOCI <VERSION> the way the
# upstream Makefile does (from the nested module github.com/awslabs/soci-snapshotter/cmd), with every module
# version and checksum pinned. Run it once per SOCI release and commit the two files; build.sh only reads them.
#   pin.sh VERSION [CMD_VERSION]
# The programs live in the nested module .../cmd, which has no tags of its own: CMD_VERSION is its pseudo-version
# at the release's commit. Left out, the proxy's "latest" for .../cmd is taken if its commit time is the release
# tag's (the same commit); otherwise give it. Upstream's go.mod replaces the root module by `../` (ignored outside
# the main module, hence this module): here the root module is the tagged release, and upstream's other replaces
# (the golang-lru fork, ...) are carried over as they are.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=env.sh
. "$(dirname "$0")/env.sh"
usage="usage: pin.sh VERSION [CMD_VERSION]"
version=${1:?$usage}
version=${version#v}
cmd_query=${2:-latest}
go_check 1.24  # the `tool` directive

info() { go_fetch "$1@$2" go list -m -json "$1@$2"; }
field() { python3 -c 'import json, sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$1"; }

root_json=$(info "$SOCI_MODULE" "v$version")
root_time=$(field Time <<<"$root_json")
cmd_json=$(info "$SOCI_MODULE/cmd" "$cmd_query")
cmd_version=$(field Version <<<"$cmd_json")
cmd_time=$(field Time <<<"$cmd_json")
cmd_mod=$(field GoMod <<<"$cmd_json")
if [ -z "$root_time" ] || [ "$cmd_time" != "$root_time" ]; then
  die "$SOCI_MODULE/cmd@$cmd_version ($cmd_time) is not the commit of v$version ($root_time): give its pseudo-version"
fi

pin=$soci_here/pins/v$version
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$cmd_mod" "$SOCI_MODULE" "v$version" "$cmd_version" >"$work/go.mod" <<'PY'
import json, subprocess, sys
cmd_mod, root, version, cmd_version = sys.argv[1:]
mod = json.loads(subprocess.run(["go", "mod", "edit", "-json", cmd_mod], check=True, capture_output=True,
                                text=True).stdout)
print("// SOCI %s as released: built by tests/soci/build.sh, written by tests/soci/pin.sh." % version)
print("module socibuild\n\ngo %s\n" % mod["Go"])
print("require (\n\t%s %s\n\t%s/cmd %s\n)\n" % (root, version, root, cmd_version))
print("tool (\n\t%s/cmd/soci\n\t%s/cmd/soci-snapshotter-grpc\n)\n" % (root, root))
print("// Upstream's replaces in cmd/go.mod: the root module (there `../`) is the tagged release.")
print("replace (")
for r in mod.get("Replace") or []:
    old = r["Old"]["Path"] + (" " + r["Old"]["Version"] if r["Old"].get("Version") else "")
    new = r["New"]["Path"], r["New"].get("Version", "")
    if new[0].startswith("."):
        new = root, version
    print("\t%s => %s %s" % (old, new[0], new[1]))
print(")")
PY
mkdir "$work/module"
mv "$work/go.mod" "$work/module/go.mod"
(cd "$work/module" && go_fetch "the modules SOCI v$version needs" go mod tidy >/dev/null)

# The versions must be upstream's: every module upstream's cmd/go.mod requires is selected at that version here.
(cd "$work/module" && go list -m -f '{{.Path}} {{.Version}}' all) | sort >"$work/ours"
go mod edit -json "$cmd_mod" | python3 -c '
import json, sys
for r in json.load(sys.stdin).get("Require") or []:
    if r["Path"] != sys.argv[1]:
        print(r["Path"], r["Version"])' "$SOCI_MODULE" | sort >"$work/upstream"
if ! diff=$(comm -13 "$work/ours" "$work/upstream") || [ -n "$diff" ]; then
  die "these versions differ from upstream's cmd/go.mod: $(tr '\n' ' ' <<<"$diff")"
fi
mkdir -p "$pin"
cp "$work/module/go.mod" "$work/module/go.sum" "$pin/"
echo "pinned SOCI v$version ($SOCI_MODULE/cmd@$cmd_version) in ${pin#"$soci_root"/}"

#!/bin/sh
# lazypull.soci role, tasks/release.yml (run as /bin/sh -c SCRIPT NAME ARGS...).
# Run in the download folder: $1 archive, $2 the version it must hold, $3 seconds --version may take. Prints the
# archive's sha256 and the daemon's version. Both programs must be plain files (no links out of the folder), are
# unpacked owned by root, and are run as nobody. Errors are one line naming the archive.
fail() { echo "$1 $(printf '%s' "$2" | tr -s '\n' ' ' | sed 's/^ //; s/ $//')" >&2; exit 1; }
# tar's errors only: the listing itself (sizes, dates) says nothing about what is wrong.
listing=$(tar -tvzf "$1" soci soci-snapshotter-grpc 2>.tar-errors) \
  || fail "$1 is not a usable SOCI release archive:" "$(cat .tar-errors)"
others=$(printf '%s\n' "$listing" | grep -v '^-')
[ -z "$others" ] || fail "$1 is not a usable SOCI release archive: soci and soci-snapshotter-grpc must be plain files, not" "$others"
out=$(tar -xzf "$1" --no-same-owner soci soci-snapshotter-grpc 2>&1) || fail "$1 is not a usable SOCI release archive:" "$out"
chmod 0711 . && chmod 0755 soci soci-snapshotter-grpc
nobody=""
command -v setpriv >/dev/null 2>&1 && nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
version=$($nobody timeout "$3" ./soci-snapshotter-grpc --version 2>&1) \
  || fail "soci-snapshotter-grpc from $1 does not run on this node:" "${version:-no answer within $3 s}"
case "$version" in
  *"version v$2 "*|*"version v$2"|*"version $2 "*|*"version $2") ;;
  *) echo "$1 holds $version, not SOCI $2" >&2; exit 1 ;;
esac
sha256sum "$1" | cut -d ' ' -f 1
printf '%s\n' "$version" | head -n 1

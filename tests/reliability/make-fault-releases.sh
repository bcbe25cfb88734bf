#!/usr/bin/env bash
# Faulty mirrors for the reliability tests, built from the REAL SOCI programs (tests/soci/build.sh):
#   OUTDIR/<fault>/v<VERSION>/soci-snapshotter-<VERSION>-linux-<ARCH>.tar.gz (+ .sha256sum), served like GitHub's.
# Only daemon-exits, daemon-hangs and daemon-silent replace soci-snapshotter-grpc by a TEST FAULT script: the real
# daemon cannot be made to fail that way on demand.
#   checksum-mismatch  the .sha256sum names other bytes           truncated      half an archive, its own sha256sum
#   no-daemon          the archive lacks soci-snapshotter-grpc     daemon-exits   the daemon exits 1 when started
#   daemon-hangs       the daemon never tells systemd it is ready  missing        nothing at all (404)
#   daemon-silent      the daemon says it is ready and holds its socket, but never answers a request
#   link-member        `soci` is a symbolic link to /etc/passwd   sums/          checksum lists (soci_checksum_url)
set -euo pipefail
version=${1:?usage: make-fault-releases.sh VERSION OUTDIR}
out=${2:?usage: make-fault-releases.sh VERSION OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
case $(uname -m) in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
name="soci-snapshotter-$version-linux-$arch.tar.gz"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
built=$("$here/../soci/build.sh" | tail -n 1)
mkdir -p "$work/members" "$work/good"
cp "$built/dynamic/soci-snapshotter-grpc" "$built/dynamic/soci" "$built/NOTICE.md" "$built/THIRD_PARTY_LICENSES" "$work/members/"

publish() {  # fault archive-file
  mkdir -p "$out/$1/v$version"
  cp "$2" "$out/$1/v$version/$name"
  (cd "$out/$1/v$version" && sha256sum "$name" >"$name.sha256sum")
}
repack() {  # fault: the members folder as it is now
  (cd "$work/members" && tar --owner=0 --group=0 --mtime='2026-07-30 00:00Z' -czf "$work/$1.tar.gz" -- *)
  publish "$1" "$work/$1.tar.gz"
}
# A daemon that answers --version and `config dump` (it prints the configuration it reads, as the real one does
# for a configuration it knows whole) and then fails the way the fault says. Its `soci` CLI says the fault's version
# too, so that an upgrade to it replaces both programs, as a real upgrade does.
broken_daemon() {  # fault shell-lines
  mv "$work/members/soci-snapshotter-grpc" "$work/good-daemon"
  mv "$work/members/soci" "$work/good-cli"
  printf '#!/bin/sh\n# TEST FAULT (lazypull.soci reliability tests): %s\ncase "$*" in *--version*) echo "soci-snapshotter-grpc version v%s lazypull-test-fault"; exit 0 ;; *"config dump"*) exec cat ;; esac\n%s\n' \
    "$1" "$version" "$2" >"$work/members/soci-snapshotter-grpc"
  printf '#!/bin/sh\n# TEST FAULT (lazypull.soci reliability tests)\necho "soci version v%s lazypull-test-fault"\n' \
    "$version" >"$work/members/soci"
  chmod 0755 "$work/members/soci-snapshotter-grpc" "$work/members/soci"
  repack "$1"
  mv "$work/good-daemon" "$work/members/soci-snapshotter-grpc"
  mv "$work/good-cli" "$work/members/soci"
}

rm -rf "$out" && mkdir -p "$out/missing"
(cd "$work/members" && tar --owner=0 --group=0 --mtime='2026-07-30 00:00Z' -czf "$work/good/$name" -- *)
publish checksum-mismatch "$work/good/$name"
echo "0000000000000000000000000000000000000000000000000000000000000000  $name" >"$out/checksum-mismatch/v$version/$name.sha256sum"
head -c "$(( $(stat -c %s "$work/good/$name") / 2 ))" "$work/good/$name" >"$work/truncated.tar.gz"
publish truncated "$work/truncated.tar.gz"
broken_daemon daemon-exits 'echo "soci-snapshotter-grpc: TEST FAULT: failed to start" >&2; exit 1'
broken_daemon daemon-hangs 'exec sleep infinity'
# Same PID throughout (systemd takes READY=1 from the main process only), the socket's descriptor kept open.
broken_daemon daemon-silent 'exec systemd-notify --ready --exec ";" sleep infinity'
# link-member: `soci` is a symbolic link out of the folder it is unpacked in.
mv "$work/members/soci" "$work/good-cli" && ln -s /etc/passwd "$work/members/soci" && repack link-member
rm "$work/members/soci" && mv "$work/good-cli" "$work/members/soci"
rm "$work/members/soci-snapshotter-grpc" && repack no-daemon
# Checksum lists at another origin than the archives (soci_checksum_url): sha256sum lines for several archives,
# one of them the good release this mirror serves next door; and a list that names other bytes for it.
served="$out/../v$version/$name"
if [ -f "$served" ]; then
  mkdir -p "$out/sums"
  sum=$(sha256sum "$served" | cut -d ' ' -f 1)
  printf '%s  %s\n%s *%s\n' "$(printf other | sha256sum | cut -d ' ' -f 1)" "${name%.tar.gz}-static.tar.gz" \
    "$sum" "$name" >"$out/sums/SHA256SUMS"
  printf '%s  %s\n' "$(printf other | sha256sum | cut -d ' ' -f 1)" "$name" >"$out/sums/SHA256SUMS-other-bytes"
fi
echo "$out"

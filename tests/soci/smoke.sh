#!/usr/bin/env bash
# Run the real SOCI daemon built by build.sh (both flavours) against SOCI config.toml files, on this machine, as root:
#   smoke.sh BUILD_DIR CONFIG...      (BUILD_DIR: build.sh's output, .cache/soci/<VERSION>)
# For each config: `config dump` must succeed and keep every key of the file (SOCI does not reject unknown keys: a
# key missing from the dump is one it ignores), and the daemon must start on a private root and socket and stop
# cleanly on SIGTERM. Then, with systemd-socket-activate (if installed), the daemon must start on the first
# connection with `--address fd://` (LISTEN_FDS) and send READY=1 to NOTIFY_SOCKET, as under the role's units.
# Nothing is installed: everything lives in a temporary folder that is removed at the end.
set -euo pipefail
usage="usage: smoke.sh BUILD_DIR CONFIG..."
[ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }
built=$(cd "$1" && pwd)
shift
work=$(mktemp -d)
pids=()
trap 'for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }

for flavour in dynamic static; do
  echo "$flavour: $("$built/$flavour/soci-snapshotter-grpc" --version); $("$built/$flavour/soci" --version)"
done
daemon=$built/dynamic/soci-snapshotter-grpc
"$daemon" config default >"$work/default.toml" || fail "config default"

# Keys of $1 (TOML) that $2 (a `config dump`) lacks or holds with another value.
compare() {
  python3 - "$1" "$2" <<'PY'
import sys, tomllib
def flat(d, p=""):
    for k, v in d.items():
        yield from flat(v, p + k + ".") if isinstance(v, dict) else [(p + k, v)]
given, dumped = (dict(flat(tomllib.load(open(f, "rb")))) for f in sys.argv[1:])
for key, value in given.items():
    if key not in dumped:
        print("ignored: %s" % key)
    elif dumped[key] != value:
        print("changed: %s = %r, dump says %r" % (key, value, dumped[key]))
PY
}

# start_daemon NAME FLAVOUR CONFIG: run it until it says it started (or dies), then SIGTERM it.
start_daemon() {
  local name=$1 bin=$built/$2/soci-snapshotter-grpc config=$3 dir=$work/$1 pid rc
  mkdir -p "$dir"
  "$bin" --root "$dir/root" --address "$dir/soci.sock" --config "$config" >"$dir/log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 100); do
    grep -q 'successfully started' "$dir/log" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if ! grep -q 'successfully started' "$dir/log" || [ ! -S "$dir/soci.sock" ]; then
    wait "$pid" || true
    fail "$name: the daemon did not start: $(grep -o '"error":"\([^"\\]\|\\.\)*"' "$dir/log" | tail -n 1)"
    return
  fi
  kill -TERM "$pid"
  rc=0
  wait "$pid" || rc=$?
  [ "$rc" -eq 0 ] || fail "$name: exit status $rc after SIGTERM"
  echo "ok: $name: started ($(grep -c '"level":"warning"' "$dir/log") warnings), stopped on SIGTERM"
}

for config in "$@"; do
  name=$(basename "$config" .toml)
  if ! "$daemon" --config "$config" config dump >"$work/$name.dump" 2>"$work/$name.err"; then
    fail "$name: config dump: $(tail -n 1 "$work/$name.err")"
    continue
  fi
  diffs=$(compare "$config" "$work/$name.dump")
  if [ -n "$diffs" ]; then fail "$name: $(tr '\n' ';' <<<"$diffs")"; else echo "ok: $name: config dump keeps every key"; fi
  for flavour in dynamic static; do start_daemon "$name-$flavour" "$flavour" "$config"; done
done

if command -v systemd-socket-activate >/dev/null 2>&1; then
  dir=$work/socket-activation
  mkdir -p "$dir"
  python3 - "$dir/notify.sock" >"$dir/notify.log" 2>&1 <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(20)
try:
    while True:
        print(s.recv(4096).decode(errors="replace").replace("\n", " "), flush=True)
except socket.timeout:
    pass
PY
  pids+=("$!")
  for _ in $(seq 50); do [ -S "$dir/notify.sock" ] && break; sleep 0.1; done
  systemd-socket-activate -l "$dir/soci.sock" -E NOTIFY_SOCKET="$dir/notify.sock" \
    "$daemon" --address fd:// --root "$dir/root" --config "$1" >"$dir/log" 2>&1 &
  activator=$!
  pids+=("$activator")
  for _ in $(seq 50); do [ -S "$dir/soci.sock" ] && break; sleep 0.1; done
  # The first connection makes systemd-socket-activate exec the daemon with the listening socket as fd 3.
  python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).connect(sys.argv[1])' "$dir/soci.sock"
  for _ in $(seq 100); do grep -q 'READY=1' "$dir/notify.log" && break; sleep 0.1; done
  if grep -q 'READY=1' "$dir/notify.log" && grep -q '"address":"fd://".*successfully started' "$dir/log"; then
    echo "ok: socket activation: started on the first connection with --address fd://, sent READY=1"
  else
    fail "socket activation: $(tr '\n' ' ' <"$dir/log" | tail -c 400)"
  fi
  kill -TERM "$activator" 2>/dev/null || true
  wait "$activator" 2>/dev/null || true
else
  echo "skipped: socket activation (systemd-socket-activate is not installed)"
fi
[ "$failed" -eq 0 ] && echo "smoke: all passed"
exit "$failed"

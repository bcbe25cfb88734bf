# shellcheck shell=bash
# Progress for long steps, sourced by examples/demo/demo.sh and the Makefile's scripts:
#   step "building the node image (first run: about 1 min)" COMMAND...
# prints the title, runs COMMAND with its output in a log under $STEP_LOGS, then "done (N s)"; when COMMAND
# fails it prints the log's last lines (the real error of podman, mmdebstrap or ansible-playbook) and the
# log's path, and returns COMMAND's status.
STEP_LOGS=${STEP_LOGS:-.cache/logs}
__step_count=0

step() {
  local title=$1 start=$SECONDS rc=0 log
  shift
  __step_count=$((__step_count + 1))
  mkdir -p "$STEP_LOGS"
  log="$STEP_LOGS/$(printf '%02d' "$__step_count")-$(printf '%s' "$title" | tr -cs 'A-Za-z0-9' '-' | cut -c1-40).log"
  printf '== %s ... ' "$title"
  "$@" >"$log" 2>&1 || rc=$?
  if [ "$rc" = 0 ]; then
    printf 'done (%d s)\n' $((SECONDS - start))
    return 0
  fi
  printf 'FAILED after %d s (exit %d)\n' $((SECONDS - start)) "$rc"
  echo "-- last lines of its output (all of it: $log):" >&2
  tail -n "${STEP_TAIL:-30}" "$log" | sed 's/^/   | /' >&2
  return "$rc"
}

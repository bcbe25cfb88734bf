#!/bin/sh
# lazypull.soci role, tasks/release.yml and tasks/configure.yml (run as /bin/sh -c SCRIPT write|check [diff]): writes
# several files in one round trip (check: only says which it would write, "PATH would be written"; diff: also prints a
# unified diff of each text file that is not root's only, its lines starting with "| "). Each line on stdin is "PATH
# MODE BASE64" (the content) or "PATH MODE @SOURCE" (a file on the node, such as an unpacked binary), then optionally
# the folder its backup goes to (for a file in a folder whose every file is read, such as nodeadm.d); the plan comes
# from the soci_file_writes filter. A missing folder is made (mode 755). A file that already has these bytes and this
# mode, owned by root, is left alone. Otherwise the old one is kept as a backup named as ansible.builtin.copy names them
# (PATH.PID.YYYY-MM-DD@HH:MM:SS~) and the new one replaces it atomically (written next to it, then renamed). Prints
# "PATH BACKUP" for each file written ("-": there was none), so a rollback can undo what was done, also when a later
# file fails.
stamp=$$.$(date +%Y-%m-%d@%H:%M:%S)
while read -r path mode data keep || [ -n "$path" ]; do  # the last line may lack its newline
  [ -n "$path" ] || continue
  # Written next to the file, to be renamed over it; check mode compares a copy outside (the folder may not exist yet).
  new="${path%/*}/.${path##*/}.lazypull-new"
  if [ "$0" = check ]; then
    new=$(mktemp) || exit 1
  elif [ ! -d "${path%/*}" ]; then
    { mkdir -p -- "${path%/*}" && chmod 755 -- "${path%/*}"; } || { echo "${path%/*}: could not be made" >&2; exit 1; }
  fi
  case $data in
    @*) cp -- "${data#@}" "$new" ;;
    *) printf '%s' "$data" | base64 -d > "$new" ;;
  esac || { rm -f -- "$new"; echo "$path: could not be written" >&2; exit 1; }
  if [ -f "$path" ] && cmp -s -- "$new" "$path" && [ "$(stat -L -c '%a %u %g' -- "$path")" = "${mode#0} 0 0" ]; then
    rm -f -- "$new"; continue
  fi
  if [ "${1:-}" = diff ] && [ "$mode" != 600 ] && [ "${data#@}" = "$data" ] && command -v diff >/dev/null 2>&1; then
    old=/dev/null && [ -f "$path" ] && old=$path
    diff -u --label "$path (before)" --label "$path" -- "$old" "$new" | sed 's/^/| /'
  fi
  if [ "$0" = check ]; then rm -f -- "$new"; echo "$path would be written"; continue; fi
  backup=-
  if [ -e "$path" ]; then
    backup="${keep:-${path%/*}}/${path##*/}.$stamp~"
    if ! { [ -z "$keep" ] || [ -d "$keep" ] || { mkdir -p -- "$keep" && chmod 700 -- "$keep"; }; } \
      || ! cp -p -- "$path" "$backup"; then
      rm -f -- "$new"; echo "$path: no backup could be made" >&2; exit 1
    fi
  fi
  if chown 0:0 "$new" && chmod "$mode" "$new" && mv -f -- "$new" "$path"; then
    echo "$path $backup"
  else
    rm -f -- "$new"; [ "$backup" = - ] || rm -f -- "$backup"
    echo "$path: could not be replaced" >&2; exit 1
  fi
done

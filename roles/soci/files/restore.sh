#!/bin/sh
# lazypull.soci role, tasks/rollback.yml and tasks/uninstall.yml (run as /bin/sh -c SCRIPT NAME ARGS...).
# $@ is BACKUP PATH pairs, --, files to remove, --, folders to remove if empty.
rc=0
while [ $# -gt 1 ] && [ "$1" != -- ]; do
  if mv -f "$1" "$2"; then echo "restored $2"; else rc=1; fi; shift 2
done; shift
while [ $# -gt 0 ] && [ "$1" != -- ]; do
  if [ -e "$1" ]; then if rm -f "$1"; then echo "removed $1"; else rc=1; fi; fi; shift
done; shift
for d; do [ -d "$d" ] && rmdir "$d" 2>/dev/null && echo "removed $d/"; done
exit $rc

#!/bin/sh
# lazypull.soci role, tasks/uninstall.yml (run as /bin/sh -c SCRIPT NAME ARGS...).
# $1 SOCI's data folder. Mounts below it go deepest first (lazily when busy), each time-boxed.
[ -d "$1" ] || exit 0
mounts=$(awk -v root="$1/" 'index($5, root) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
for mount in $mounts; do
  timeout 10 umount "$mount" 2>/dev/null || timeout 10 umount -l "$mount" \
    || { echo "could not unmount $mount, so $1 was not deleted" >&2; exit 1; }
done
unmounted="$(printf '%s' "$mounts" | grep -c .) mounts below it unmounted first"
# A data folder that is a volume of its own is emptied; the mount point stays.
if awk -v root="$1" '$5 == root { found = 1 } END { exit !found }' /proc/self/mountinfo; then
  find "$1" -mindepth 1 -maxdepth 1 -exec rm -rf --one-file-system -- {} + && echo "emptied $1, a mount point ($unmounted)"
else
  rm -rf --one-file-system -- "$1" && echo "removed $1 ($unmounted)"
fi

# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Base for action plugins that edit one text file on the managed node with controller-side logic.

Round trips (with pipelining): one read (slurp); nothing more when the file is already right. On a change, one more:
WRITE_FILE gets the new content on stdin, writes it to a temporary file next to the file, runs the validation
command on it, keeps a backup, gives it the file's owner, group and mode (or the ones asked for) and renames it over
the file. SELinux or attribute options (or unsafe_writes) take the long way through ansible.builtin.copy instead.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shlex

from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.action import ActionBase

from ansible_collections.lazypull.soci.plugins.plugin_utils._redact import redact

# Options of ansible.builtin.files that are passed on to the copy/file modules untouched.
FILE_COMMON_ARGS = ("mode", "owner", "group", "seuser", "serole", "setype", "selevel", "attributes", "unsafe_writes")
# Options only ansible.builtin.copy applies (WRITE_FILE does not): given any of them, the file goes the long way.
COPY_ONLY_ARGS = ("seuser", "serole", "setype", "selevel", "attributes")
# Removes all but the newest $keep backups of $target, by the time in their names (their mtime is the original file's).
PRUNE_BACKUPS = r"""
for f in "$target".*~; do
  pid=${f#"$target".} && stamp=${pid#*.} && pid=${pid%%.*}
  case $pid in '' | *[!0-9]*) continue ;; esac
  case $stamp in [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]@[0-9][0-9]:[0-9][0-9]:[0-9][0-9]~) ;; *) continue ;; esac
  printf '%s %s\n' "$stamp" "$f"
done | sort -r | tail -n +"$((keep + 1))" | while read -r stamp f; do rm -f -- "$f" && echo "removed $f" >&2; done
"""
# Writes stdin over $1 in one round trip: $1 PATH, $2 MODE, $3 OWNER, $4 GROUP (empty: the file's own, or 0644 and
# root's for a new file), $5 backup (1/0), $6 backups to keep (0: all), $7 check (1: validate only), then the
# validation command's argv, %s standing for the new content. Backups are named as ansible.builtin.copy names them,
# PATH.PID.YYYY-MM-DD@HH:MM:SS~.
# stdout is the validation command's; stderr starts with "new TEMPORARY-FILE", then (exit 0) "backup PATH" and
# "removed PATH" lines, or (exit 3: the validation failed) "rc RC" and the command's stderr.
WRITE_FILE = r"""
path=$1 mode=$2 owner=$3 group=$4 backup=$5 keep=$6 check=$7
shift 7
target=$path
[ -L "$path" ] && target=$(readlink -f -- "$path")
# Next to the file: an atomic rename, and relative imports in the content resolve as they will for the file.
if [ -d "${target%/*}" ]; then new=$(mktemp "${target%/*}/.${target##*/}.XXXXXX") || exit 1
elif [ "$check" = 1 ]; then new=$(mktemp) || exit 1
else echo "the folder ${target%/*} does not exist" >&2; exit 1
fi
trap 'rm -f -- "$new"' EXIT
echo "new $new" >&2
cat > "$new" || exit 1
if [ $# -gt 0 ]; then
  for arg do
    shift
    while :; do case $arg in *%s*) arg=${arg%%"%s"*}$new${arg#*"%s"} ;; *) break ;; esac; done
    set -- "$@" "$arg"
  done
  { errors=$("$@" 2>&1 >&3 3>&-); rc=$?; } 3>&1
  [ "$rc" = 0 ] || { printf 'rc %s\n%s\n' "$rc" "$errors" >&2; exit 3; }
fi
[ "$check" = 1 ] && exit 0
if [ -e "$target" ]; then
  chown "$(stat -c %u:%g -- "$target")" "$new" && chmod "$(stat -c %a -- "$target")" "$new" || exit 1
  if command -v chcon >/dev/null 2>&1; then chcon --reference="$target" -- "$new" 2>/dev/null; fi
  if [ "$backup" = 1 ]; then
    saved="$target.$$.$(date +%Y-%m-%d@%H:%M:%S)~"
    cp -p -- "$target" "$saved" || exit 1
    echo "backup $saved" >&2
  fi
else
  chmod 0644 "$new" || exit 1
fi
{ [ -z "$owner" ] || chown -- "$owner" "$new"; } && { [ -z "$group" ] || chgrp -- "$group" "$new"; } &&
  { [ -z "$mode" ] || chmod -- "$mode" "$new"; } && mv -f -- "$new" "$target" || exit 1
[ -n "${saved:-}" ] && [ "$keep" -gt 0 ] || exit 0
""" + PRUNE_BACKUPS


class EditError(Exception):
    """A one-line reason to fail the task; the file on the node is untouched."""


class FileEditAction(ActionBase):
    # The temporary folder is made only when there is something to transfer (_write): with pipelining, a file that
    # is already right costs one connection call, not a folder made and removed around it.
    TRANSFERS_FILES = False
    _requires_connection = True

    argument_spec = {}  # from the module's documentation (plugin_utils/_argspec.py)

    # --- to be provided by subclasses -------------------------------------------------------------------
    def edit(self, text, params, exists):
        """Return (new_text, facts): facts are extra keys for the task result."""
        raise NotImplementedError

    def check_validation(self, params, stdout, facts):
        """Inspect the validation command's output; raise EditError if the new content does not do its job."""

    # --- the pipeline ---------------------------------------------------------------------------------------
    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        dummy, params = self.validate_argument_spec(argument_spec=self.argument_spec)
        # Templated options arrive as Ansible's tagged str subclasses; the edit engines compare types exactly.
        params = {key: str(value) if isinstance(value, str) else value for key, value in params.items()}
        path = params["path"]
        try:
            exists, text = self._read(path, task_vars)
            new_text, facts = self.edit(text, params, exists)
            changed = new_text != text
            result.update(facts)
            result["path"] = path
            if self._task.diff and changed:
                # Registry credentials in the file stay out of the diff (shown with --diff, kept by AWX/ARA).
                result["diff"] = {"before": redact(text), "after": redact(new_text),
                                  "before_header": path if exists else "%s (absent)" % path, "after_header": path}
            if changed:
                result.update(self._write(path, new_text, exists, params, facts, task_vars))
            elif exists and any(params.get(k) is not None for k in FILE_COMMON_ARGS if k != "unsafe_writes"):
                result.update(self._set_attributes(path, params, task_vars))
            else:
                result["changed"] = False
            if exists or changed:  # only once the file has (or, in check mode, would have) this content
                result["sha256"] = hashlib.sha256(to_bytes(new_text)).hexdigest()
        except EditError as exc:
            result.update(failed=True, changed=False, msg=str(exc))
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _read(self, path, task_vars):
        res = self._execute_module(module_name="ansible.legacy.slurp", module_args={"src": path},
                                   task_vars=task_vars, wrap_async=False)
        if res.get("failed"):
            msg = res.get("msg", "")
            if "not found" in msg:
                return False, ""
            raise EditError("%s: cannot read: %s" % (path, msg))
        try:
            return True, to_text(base64.b64decode(res["content"]), errors="strict")
        except UnicodeDecodeError as exc:
            raise EditError("%s: not a UTF-8 text file (%s)" % (path, exc))

    def _write(self, path, new_text, exists, params, facts, task_vars):
        validate = params.get("validate")
        if self._task.check_mode and not validate:
            return {"changed": True}
        argv = []
        if validate:
            if "%s" not in validate:
                raise EditError("validate must contain %%s (the file to check), got: %s" % validate)
            argv = shlex.split(validate)
        long_way = params.get("unsafe_writes") or any(params.get(k) is not None for k in COPY_ONLY_ARGS)
        # The controller reads the validation's output before the file is replaced: validate first, write after.
        if argv and (self._task.check_mode or long_way or self.inspects_validation):
            self._run_write_file(path, new_text, params, validate, argv, facts, task_vars, check=True)
            argv = []
        if self._task.check_mode:
            return {"changed": True}
        if long_way:
            return self._write_with_copy(path, new_text, exists, params, task_vars)
        return self._run_write_file(path, new_text, params, validate, argv, facts, task_vars, check=False)

    @property
    def inspects_validation(self):
        return type(self).check_validation is not FileEditAction.check_validation

    def _run_write_file(self, path, new_text, params, validate, argv, facts, task_vars, check):
        mode = params.get("mode")
        if isinstance(mode, int):  # a YAML number such as 0644 arrives as 420
            mode = "%o" % mode
        script = ["/bin/sh", "-c", WRITE_FILE, "write", path, mode or "", params.get("owner") or "",
                  params.get("group") or "", "1" if params.get("backup") else "0", str(params.get("backup_keep", 0)),
                  "1" if check else "0"]
        # The command module skips its command in check mode; the script itself changes nothing when check is 1.
        check_mode, self._task.check_mode = self._task.check_mode, False
        try:
            res = self._execute_module(module_name="ansible.legacy.command", task_vars=task_vars, wrap_async=False,
                                       module_args={"argv": script + argv, "stdin": new_text,
                                                    "stdin_add_newline": False})
        finally:
            self._task.check_mode = check_mode
        report = (res.get("stderr") or "").splitlines()
        temporary = next((line[4:] for line in report if line.startswith("new ")), None)
        said = {line.split(" ", 1)[0] for line in report}
        if res.get("rc") == 3:
            rc = next((line[3:] for line in report if line.startswith("rc ")), "?")
            detail = report[report.index("rc " + rc) + 1:] if "rc " + rc in report else []
            detail = [line for line in detail if line.strip()] or res.get("stdout", "").splitlines()
            raise EditError("%s: the new content failed validation (%s, rc=%s): %s; the file was not changed"
                            % (path, validate, rc, self._name_copy(detail[-1], temporary, path)
                               if detail else "no output"))
        if res.get("rc") != 0 or "new" not in said:
            detail = [line for line in report if line.split(" ", 1)[0] not in ("new", "backup", "removed")]
            raise EditError("%s: could not replace the file: %s" % (
                path, (detail or [res.get("msg") or "rc=%s" % res.get("rc")])[-1]))
        if argv:  # the validation ran in this call (not in an earlier check-only one)
            try:
                self.check_validation(params, res.get("stdout", ""), facts)
            except EditError as exc:
                raise EditError(self._name_copy(str(exc), temporary, path))
        out = {"changed": True}
        backups = [line[7:] for line in report if line.startswith("backup ")]
        if backups:
            out["backup_file"] = backups[0]
            if params["backup_keep"] > 0:
                out["backups_removed"] = [line[8:] for line in report if line.startswith("removed ")]
        return out

    @staticmethod
    def _name_copy(text, temporary, path):
        """The command saw a temporary copy; name the file the user knows."""
        return text.replace(temporary, "%s (patched copy)" % path) if temporary else text

    def _write_with_copy(self, path, new_text, exists, params, task_vars):
        shell = self._connection._shell
        tmpdir = shell.tmpdir or self._make_tmp_path()
        source = shell.join_path(tmpdir, os.path.basename(path) or "source")
        self._transfer_data(source, new_text)
        self._fixup_perms2((tmpdir, source))
        copy_args = {k: params[k] for k in FILE_COMMON_ARGS if params.get(k) is not None}
        if not exists and "mode" not in copy_args:
            copy_args["mode"] = "0644"
        copy_args.update(src=source, dest=path, backup=params.get("backup", False), follow=True, force=True,
                         checksum=hashlib.sha1(to_bytes(new_text)).hexdigest(),
                         _original_basename=os.path.basename(path))
        res = self._execute_module(module_name="ansible.legacy.copy", module_args=copy_args,
                                   task_vars=task_vars, wrap_async=False)
        if res.get("failed"):
            raise EditError("%s: could not replace the file: %s" % (path, res.get("msg")))
        out = {"changed": True}
        if res.get("backup_file"):
            out["backup_file"] = res["backup_file"]
            if params["backup_keep"] > 0:
                out["backups_removed"] = self._prune_backups(res["dest"], params["backup_keep"], task_vars)
        return out

    def _prune_backups(self, path, keep, task_vars):
        res = self._execute_module(module_name="ansible.legacy.command", task_vars=task_vars, wrap_async=False,
                                   module_args={"argv": ["/bin/sh", "-c", 'target=$1 keep=$2' + PRUNE_BACKUPS,
                                                         "prune", path, str(keep)]})
        if res.get("rc", 1) != 0:  # the file is replaced already: say so, do not fail the task
            self._display.warning("%s: old backups not removed: %s" % (path, (res.get("stderr") or res.get("msg") or "").strip()))
        return [line[8:] for line in (res.get("stderr") or "").splitlines() if line.startswith("removed ")]

    def _set_attributes(self, path, params, task_vars):
        file_args = {k: params[k] for k in FILE_COMMON_ARGS if params.get(k) is not None}
        file_args.update(path=path, state="file", follow=True)
        res = self._execute_module(module_name="ansible.legacy.file", module_args=file_args,
                                   task_vars=task_vars, wrap_async=False)
        if res.get("failed"):
            raise EditError("%s: could not set file attributes: %s" % (path, res.get("msg")))
        return {"changed": res.get("changed", False)}

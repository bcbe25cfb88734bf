# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Base for action plugins that edit one text file on the managed node with controller-side logic.

Round trips: one read (slurp; one connection call with pipelining); nothing more when the file is already right.
On a change: one transfer of the new content, the optional validation command on that temporary copy, then
ansible.builtin.copy, which does the backup and the atomic replace and applies owner/group/mode.
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
# ansible.builtin.copy names its backups PATH.PID.YYYY-MM-DD@HH:MM:SS~. $1 is PATH, $2 how many to keep: the newest by
# the time in their names (their mtime is the original file's).
PRUNE_BACKUPS = r"""
for f in "$1".*~; do
  pid=${f#"$1".} && stamp=${pid#*.} && pid=${pid%%.*}
  case $pid in '' | *[!0-9]*) continue ;; esac
  case $stamp in [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]@[0-9][0-9]:[0-9][0-9]:[0-9][0-9]~) ;; *) continue ;; esac
  printf '%s %s\n' "$stamp" "$f"
done | sort -r | tail -n +"$(($2 + 1))" | while read -r stamp f; do rm -f -- "$f" && echo "$f"; done
"""


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
        shell = self._connection._shell
        tmpdir = shell.tmpdir or self._make_tmp_path()
        source = shell.join_path(tmpdir, os.path.basename(path) or "source")
        self._transfer_data(source, new_text)
        self._fixup_perms2((tmpdir, source))
        if validate:
            self._validate(path, source, validate, params, facts, task_vars)
        if self._task.check_mode:
            return {"changed": True}
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
                out["backups_removed"] = self._prune_backups(path, params["backup_keep"], task_vars)
        return out

    def _prune_backups(self, path, keep, task_vars):
        res = self._execute_module(module_name="ansible.legacy.command", task_vars=task_vars, wrap_async=False,
                                   module_args={"argv": ["/bin/sh", "-c", PRUNE_BACKUPS, "prune", path, str(keep)]})
        if res.get("rc", 1) != 0:  # the file is replaced already: say so, do not fail the task
            self._display.warning("%s: old backups not removed: %s" % (path, (res.get("stderr") or res.get("msg") or "").strip()))
        return res.get("stdout_lines", [])

    def _validate(self, path, source, validate, params, facts, task_vars):
        if "%s" not in validate:
            raise EditError("validate must contain %%s (the file to check), got: %s" % validate)
        command = validate.replace("%s", shlex.quote(source))
        res = self._execute_module(module_name="ansible.legacy.command", module_args={"cmd": command},
                                   task_vars=task_vars, wrap_async=False)
        if res.get("rc", 1) != 0:
            detail = (res.get("stderr") or res.get("msg") or res.get("stdout") or "").strip()
            # The command saw a temporary copy; name the file the user knows.
            detail = detail.replace(source, "%s (patched copy)" % path).splitlines()
            raise EditError("%s: the new content failed validation (%s, rc=%s): %s; the file was not changed"
                            % (path, validate, res.get("rc"), detail[-1] if detail else "no output"))
        self.check_validation(params, res.get("stdout", ""), facts)

    def _set_attributes(self, path, params, task_vars):
        file_args = {k: params[k] for k in FILE_COMMON_ARGS if params.get(k) is not None}
        file_args.update(path=path, state="file", follow=True)
        res = self._execute_module(module_name="ansible.legacy.file", module_args=file_args,
                                   task_vars=task_vars, wrap_async=False)
        if res.get("failed"):
            raise EditError("%s: could not set file attributes: %s" % (path, res.get("msg")))
        return {"changed": res.get("changed", False)}

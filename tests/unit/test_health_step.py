# Copyright: lazypull.soci contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's one systemd step: files/health.sh with the real files/restart.sh, against stand-ins for systemctl, ctr
and containerd's binary (named so below) that log what they were asked. Checks the order of the steps, what the
script prints for the rollback (tasks/rollback.yml restarts again only what it names), and that nothing is stopped
when containerd cannot load its configuration."""

from __future__ import annotations

import os
import stat
import subprocess

import pytest

FILES = os.path.join(os.path.dirname(__file__), "..", "..", "roles", "soci", "files")
SOCK = "/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock"
RUN_UNITS = ("soci-snapshotter.socket", "soci-snapshotter.service", "containerd.service")

# Stand-in systemctl: logs each call; units listed in $ACTIVE are active; a verb+unit listed in $FAIL fails.
SYSTEMCTL = """#!/bin/sh
echo "systemctl $*" >> "$LOG"
case $1 in
  is-active) case " $ACTIVE " in *" $3 "*) exit 0 ;; esac; exit 3 ;;
esac
case " $FAIL " in *" $1:$2 "*|*" $1:$3 "*) echo "Job for $2 failed because the control process exited" >&2; exit 1 ;; esac
exit 0
"""
# Stand-in containerd binary: `config dump` fails when $BROKEN is set, as containerd does on a config it cannot load.
CONTAINERD = """#!/bin/sh
echo "containerd $*" >> "$LOG"
[ -z "$BROKEN" ] && exit 0
echo 'containerd: failed to unmarshal TOML at row 4 column 13' >&2
exit 1
"""


def _stand_in(folder, name, text):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    path.chmod(stat.S_IRWXU)
    return str(path)


def run(tmp_path, steps, active=RUN_UNITS, fail="", broken="", answers=True):
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    _stand_in(folder, "systemctl", SYSTEMCTL)
    _stand_in(folder, "ctr", "#!/bin/sh\nexit %d\n" % (0 if answers else 1))
    containerd = _stand_in(folder, "containerd", CONTAINERD)
    log = tmp_path / "log"
    log.write_text("")
    with open(os.path.join(FILES, "restart.sh"), encoding="utf-8") as handle:
        restart = handle.read()
    env = dict(os.environ, PATH="%s:%s" % (folder, os.environ["PATH"]), LOG=str(log), ACTIVE=" ".join(active),
               FAIL=fail, BROKEN=broken)
    result = subprocess.run(["/bin/sh", os.path.join(FILES, "health.sh"), "5" if answers else "0", "soci", SOCK, str(tmp_path / "record"),
                             "", containerd, restart] + steps + ["--"] + list(RUN_UNITS),
                            env=env, capture_output=True, text=True, check=False)
    calls = [line.split(" ", 1)[1] for line in log.read_text().splitlines()
             if not line.startswith("systemctl is-active")]
    return result, calls


def test_steps_run_in_the_order_given_and_each_is_reported(tmp_path):
    steps = ["reload", "enable:soci-snapshotter.socket", "restart:soci", "restart:containerd.service",
             "restart:kubelet.service"]
    result, calls = run(tmp_path, steps)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["reloaded", "enabled soci-snapshotter.socket", "restart soci",
                                          "restart containerd.service", "restart kubelet.service"]
    assert calls == [
        "daemon-reload",
        "enable --quiet soci-snapshotter.socket",
        # containerd runs: it reads its configuration before SOCI, which it requires, is restarted
        "config dump",
        "stop soci-snapshotter.socket soci-snapshotter.service",
        "start soci-snapshotter.socket",
        "start soci-snapshotter.service",
        "config dump",
        "restart containerd.service",
        "restart kubelet.service",
    ]


def test_units_that_do_not_run_are_started_after_the_steps(tmp_path):
    result, calls = run(tmp_path, ["reload"], active=["soci-snapshotter.socket"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["reloaded", "started soci-snapshotter.service", "started containerd.service"]
    assert calls == ["daemon-reload", "start soci-snapshotter.service", "start containerd.service"]


def test_no_steps_and_everything_running_touches_nothing(tmp_path):
    result, calls = run(tmp_path, [])
    assert (result.returncode, result.stdout, calls) == (0, "", [])


def test_a_config_containerd_cannot_load_stops_before_soci_is_restarted(tmp_path):
    result, calls = run(tmp_path, ["reload", "restart:soci", "restart:containerd.service"], broken="1")
    assert result.returncode == 1
    # Not named: the rollback must not restart SOCI again, it was never stopped.
    assert result.stdout.splitlines() == ["reloaded"]
    assert "containerd cannot load its configuration, so SOCI, which containerd needs, was not restarted" \
        in result.stderr
    assert calls == ["daemon-reload", "config dump"]


def test_a_restart_that_fails_is_named_for_the_rollback(tmp_path):
    result, calls = run(tmp_path, ["restart:soci", "restart:containerd.service"],
                        fail="start:soci-snapshotter.service")
    assert result.returncode == 1
    assert result.stdout.splitlines() == ["restart soci"]
    assert "Job for soci-snapshotter.service failed" in result.stderr
    assert "restart containerd.service" not in calls


@pytest.mark.parametrize("step", ["restart", "stop:soci", "enable", "import:", "drop:relative/path"])
def test_an_unknown_step_is_refused(tmp_path, step):
    result, calls = run(tmp_path, [step])
    assert (result.returncode, calls) == (2, [])
    assert result.stderr == "unknown step: %s\n" % step


def test_the_import_and_the_drops_wait_until_the_node_answers(tmp_path):
    old_copy = tmp_path / "soci.1234.2026-11-27@07:00:00~"
    old_copy.write_text("old")
    steps = ["import:lazypull-soci-sandbox-import.service", "drop:%s" % old_copy, "restart:containerd.service"]
    result, calls = run(tmp_path, steps)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["restart containerd.service", "imported lazypull-soci-sandbox-import.service",
                                          "dropped %s" % old_copy]
    assert calls == ["config dump", "restart containerd.service", "restart lazypull-soci-sandbox-import.service"]
    assert not old_copy.exists()


def test_a_node_that_does_not_answer_keeps_the_old_copies_and_imports_nothing(tmp_path):
    old_copy = tmp_path / "soci.1234.2026-11-27@07:00:00~"
    old_copy.write_text("old")
    result, calls = run(tmp_path, ["import:lazypull-soci-sandbox-import.service", "drop:%s" % old_copy],
                        answers=False)
    assert result.returncode == 1
    assert "the soci snapshotter did not answer within 0 s (containerd: " in result.stderr
    assert (result.stdout, calls) == ("", [])
    assert old_copy.exists()


def test_an_image_build_tries_the_snapshotter_cleans_its_data_and_starts_nothing_else(tmp_path):
    data = tmp_path / "soci-data"
    (data / "snapshotter").mkdir(parents=True)
    (data / "metadata.db").write_text("what the try left")
    old_copy = tmp_path / "config.toml.1234.2026-11-27@07:00:00~"
    old_copy.write_text("old")
    steps = ["reload", "enable:soci-snapshotter.socket", "try:soci-snapshotter.service", "clean:%s" % data, "bake",
             "drop:%s" % old_copy]
    # Nothing runs on the image builder: after "bake" no unit is started and containerd is not asked (ctr fails).
    result, calls = run(tmp_path, steps, active=[], answers=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["reloaded", "enabled soci-snapshotter.socket",
                                          "tried soci-snapshotter.service", "cleaned %s" % data,
                                          "dropped %s" % old_copy]
    assert calls == ["daemon-reload", "enable --quiet soci-snapshotter.socket", "start soci-snapshotter.service",
                     # what requires SOCI (containerd's drop-in) is not stopped with it
                     "stop --job-mode=ignore-dependencies soci-snapshotter.service soci-snapshotter.socket"]
    assert data.is_dir() and list(data.iterdir()) == []
    assert not old_copy.exists()


def test_an_image_build_stops_when_the_snapshotter_does_not_start(tmp_path):
    data = tmp_path / "soci-data"
    data.mkdir()
    (data / "metadata.db").write_text("kept")
    result, calls = run(tmp_path, ["try:soci-snapshotter.service", "clean:%s" % data, "bake"], active=[],
                        fail="start:soci-snapshotter.service")
    assert result.returncode == 1
    assert (result.stdout, calls) == ("", ["start soci-snapshotter.service"])
    assert "Job for soci-snapshotter.service failed" in result.stderr
    assert (data / "metadata.db").exists()


@pytest.mark.parametrize("active, expected_calls, said", [
    # the run restarted kubelet but not containerd: the rollback's start leaves containerd, restarts kubelet
    (["containerd.service"], ["restart kubelet.service"], "restarted kubelet.service"),
    # containerd stopped with SOCI: it is started on its configuration, kubelet restarted on its restored file
    ([], ["config dump", "start containerd.service", "restart kubelet.service"], "started"),
])
def test_the_rollback_s_start_restarts_kubelet_where_the_run_had(tmp_path, active, expected_calls, said):
    folder = tmp_path / "bin"
    folder.mkdir()
    _stand_in(folder, "systemctl", SYSTEMCTL)
    containerd = _stand_in(folder, "containerd", CONTAINERD)
    log = tmp_path / "log"
    log.write_text("")
    env = dict(os.environ, PATH="%s:%s" % (folder, os.environ["PATH"]), LOG=str(log), ACTIVE=" ".join(active),
               FAIL="", BROKEN="")
    result = subprocess.run(["/bin/sh", os.path.join(FILES, "restart.sh"), containerd, "start", "containerd.service",
                             "kubelet.service"], env=env, capture_output=True, text=True, check=False)
    calls = [line.split(" ", 1)[1] for line in log.read_text().splitlines() if not line.startswith("systemctl is-active")]
    assert (result.returncode, result.stdout.strip(), calls) == (0, said, expected_calls), result.stderr

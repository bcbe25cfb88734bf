# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`make bench`: lazypull.soci.install against the seed's bash userData, side by side in one run, on fresh nodes laid
out like EKS AL2 workers (the reliability suite's node: podman containers booting systemd, containerd 1.7) with the
real SOCI release from the local release server; and the containerd patch engine on large configs. Writes
docs/benchmarks.md (and the raw numbers to .cache/bench/results.json).

Every ansible-playbook and bash run goes through the same podman connection: a wrapper around podman counts its calls.
Controller CPU is the user + system time of the run and everything it started (podman clients included)."""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# The reliability suite's nodes, and the staged collection (make stage) for the patch engine and the property
# suite's config generator.
sys.path[:0] = [os.path.join(HERE, "..", "reliability")] + os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(":")

# pylint: disable=wrong-import-position
from ansible_collections.lazypull.soci.plugins.plugin_utils._containerd_config import patch  # noqa: E402
from ansible_collections.lazypull.soci.tests.unit.containerd_configs import large_config  # noqa: E402
from node import RELEASES, REPO, RESOURCES, SOCI_VERSION, STATE, Node, podman, prepared_image, run  # noqa: E402

IMAGE = "localhost/lazypull-bench:eks-al2"
WORK = os.path.join(REPO, ".cache", "bench")
REPORT = os.path.join(REPO, "docs", "benchmarks.md")
RUNS = int(os.environ.get("LAZYPULL_BENCH_RUNS", "3"))
FLEETS = (1, 4, 8)
TARGETS = {"converge_ratio": 5.0, "converge_cpu": 5.0, "idempotent_cpu": 2.0, "fleet_ratio": 2.5, "patch_ms": 200.0}


def podman_counter(folder):
    """A podman wrapper that logs one line per call (the connection plugin's and bash's alike)."""
    path, log = os.path.join(folder, "podman"), os.path.join(folder, "podman-calls.log")
    with open(path, "w") as handle:
        handle.write("#!/bin/sh\necho \"$1\" >> %s\nexec %s \"$@\"\n" % (log, run("sh", "-c", "command -v podman").strip()))
    os.chmod(path, 0o755)
    return path, log


def lines(path):
    if not os.path.exists(path):
        return 0
    with open(path) as handle:
        return sum(1 for _line in handle)


def measured(argv, env, log, stdin=None):
    """Run argv; its wall time, controller CPU (it and all it waited for), podman calls, exit code, output."""
    before, calls = resource.getrusage(resource.RUSAGE_CHILDREN), lines(log)
    start = time.monotonic()
    proc = subprocess.run(argv, env=env, input=stdin, capture_output=True, text=True, check=False)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "calls": lines(log) - calls, "rc": proc.returncode, "out": proc.stdout,
            "err": proc.stderr}


def inventory(folder, names, wrapper, name, pipelining):
    """The user's inventory; with pipelining=False it says ansible_pipelining: false, as on a host whose sudo
    requires a tty (the playbook must keep it)."""
    path = os.path.join(folder, name + ".yml")
    hosts = "".join("    %s:\n" % n for n in names)
    with open(path, "w") as handle:
        handle.write("all:\n  vars:\n    ansible_connection: containers.podman.podman\n"
                     "    ansible_podman_executable: %s\n    ansible_python_interpreter: /usr/bin/python3\n"
                     "    soci_release_base_url: %s\n    soci_allow_insecure_download: true\n%s  hosts:\n%s"
                     % (wrapper, RELEASES, "" if pipelining else "    ansible_pipelining: false\n", hosts))
    return path


def play(folder, nodes, wrapper, log, pipelining, label, playbook="lazypull.soci.install"):
    """A playbook as shipped (it turns pipelining on), or with ansible_pipelining: false in the inventory."""
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
               ANSIBLE_FORKS=str(max(5, len(nodes))))
    env.pop("ANSIBLE_PIPELINING", None)
    argv = ["ansible-playbook", "-i", inventory(folder, [n.name for n in nodes], wrapper, label, pipelining), playbook]
    result = measured(argv, env, log)
    stats = {}
    try:
        stats = json.loads(result["out"][result["out"].index("{"):])["stats"]
    except (ValueError, KeyError):
        pass
    result["changed"] = sum(s.get("changed", 0) for s in stats.values())
    result["tasks"] = max((s.get("ok", 0) + s.get("changed", 0) for s in stats.values()), default=0)
    failed = [h for h, s in stats.items() if s.get("failures") or s.get("unreachable")]
    if result["rc"] != 0 or failed or not stats:
        with open(os.path.join(folder, label + ".log"), "w") as handle:
            handle.write(result["out"] + result["err"])
        raise RuntimeError("%s failed (rc=%d), see %s" % (label, result["rc"], os.path.join(folder, label + ".log")))
    del result["out"], result["err"]
    return result


def boot(count, tag):
    return [Node("lazypull-bench-%s-%d" % (tag, i), IMAGE).boot() for i in range(count)]


def serves_soci(node):
    return node.runs_a_container() == "soci"


def role_runs(folder, wrapper, log, pipelining):
    """RUNS fresh converges, each followed by an idempotent run, one fresh node each."""
    fresh, again = [], []
    for i in range(RUNS):
        label = "role-%s-%d" % ("as-shipped" if pipelining else "no-pipelining", i)
        nodes = boot(1, label)
        try:
            fresh.append(play(folder, nodes, wrapper, log, pipelining, label))
            assert serves_soci(nodes[0])
            again.append(play(folder, nodes, wrapper, log, pipelining, label + "-again"))
            assert again[-1]["changed"] == 0, "the second run changed %d" % again[-1]["changed"]
        finally:
            for node in nodes:
                node.remove()
    return fresh, again


def seed_runs(folder, wrapper, log):
    """RUNS fresh nodes, each given the seed's userData over one podman exec."""
    with open(os.path.join(HERE, "seed-userdata.sh")) as handle:
        script = handle.read()
    results = []
    for i in range(RUNS):
        node = boot(1, "seed-%d" % i)[0]
        try:
            argv = [wrapper, "exec", "--interactive", "--env", "SOCI_RELEASE_VERSION=" + SOCI_VERSION,
                    "--env", "SOCI_RELEASE_BASE_URL=" + RELEASES, node.name, "bash", "-s"]
            result = measured(argv, dict(os.environ), log, stdin=script)
            if result["rc"] != 0:
                raise RuntimeError("the seed script failed: %s" % (result["out"] + result["err"])[-2000:])
            del result["out"], result["err"]
            assert serves_soci(node)
            results.append(result)
        finally:
            node.remove()
    return results


def floor_runs(folder, wrapper, log):
    """What any playbook costs here: ansible-playbook starting, reading the inventory, and one raw command on the node
    (tests/bench/floor.yml). It bounds the role's idempotent run from below."""
    results = []
    nodes = boot(1, "floor")
    try:
        for i in range(RUNS):
            results.append(play(folder, nodes, wrapper, log, True, "floor-%d" % i, os.path.join(HERE, "floor.yml")))
    finally:
        nodes[0].remove()
    return results


def fleet_runs(folder, wrapper, log):
    results = {}
    for count in FLEETS:
        nodes = boot(count, "fleet%d" % count)
        try:
            results[count] = play(folder, nodes, wrapper, log, True, "fleet-%d" % count)
        finally:
            for node in nodes:
                node.remove()
    return results


def patch_engine():
    """CPU ms of one patch (best of 5) of 300- and 5,000-line configs, tables nested or appended after their parents."""
    results = {}
    for spelling in ("nested", "appended"):
        for size in (300, 5000):
            text = large_config(size, spelling)
            best = []
            for _attempt in range(5):
                start = time.process_time()
                patch(text, "config.toml")
                best.append(time.process_time() - start)
            results["%s-%d" % (spelling, size)] = {"lines": text.count("\n"), "ms": min(best) * 1e3}
    return results


def median(results, key):
    return statistics.median(r[key] for r in results)


def machine():
    with open("/proc/cpuinfo") as handle:
        model = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), "?")
    with open("/proc/meminfo") as handle:
        mem = int(handle.readline().split()[1]) // (1024 * 1024)
    versions = run("ansible-playbook", "--version").splitlines()[0]
    return "%s, %d cores, %d GiB, Linux %s; %s; Python %s; %s" % (
        model, os.cpu_count(), mem, platform.release(), versions, platform.python_version(),
        run("podman", "--version").strip())


def report(data):
    shipped, unpiped, seed, floor = data["as_shipped"], data["no_pipelining"], data["seed"], data["floor"]
    fleet, engine = data["fleet"], data["patch_engine"]
    seed_wall = median(seed, "wall")
    ratio = fleet[FLEETS[-1]]["wall"] / fleet[1]["wall"]
    worst_patch = max(v["ms"] for k, v in engine.items() if k.endswith("5000"))
    growth = max(engine["%s-5000" % s]["ms"] / engine["%s-300" % s]["ms"] for s in ("nested", "appended"))

    def row(name, results, again):
        return "| %s | %.1f s | %.1f× | %.1f s | %d | %d | %.1f s | %.1f s | %d |" % (
            name, median(results, "wall"), median(results, "wall") / seed_wall, median(results, "cpu"),
            median(results, "calls"), median(results, "tasks"), median(again, "wall"), median(again, "cpu"),
            median(again, "calls"))

    def verdict(value, target, unit="", fmt="%.1f"):
        return "%s%s (target ≤ %s%s: %s)" % (fmt % value, unit, fmt % target, unit, "met" if value <= target else "NOT met")

    out = [
        "# Benchmarks: lazypull.soci against the bash it replaces",
        "",
        "<!-- Generated by `make bench` (tests/bench/bench.py); do not edit. -->",
        "",
        "Measured side by side in one run of `make bench` on %s." % data["machine"],
        "",
        "Each converge runs `ansible-playbook lazypull.soci.install` against a fresh node laid out like an EKS AL2 "
        "worker (a podman container booting systemd, containerd 1.7; the reliability suite's node) with the real "
        "SOCI %s release from the local release server; the seed is the seed's bash userData (`tests/bench/"
        "seed-userdata.sh`, run by `podman exec` in one call, then the boot-time part of bootstrap.sh that a real "
        "instance runs). Both end with containerd running a container through `soci` (checked after each run, not "
        "timed). Controller CPU is user + system time of the run and every process it started (podman clients "
        "included, and the counting wrapper's own `sh`); calls are podman invocations (exec, and mount/umount where "
        "the connection copies a file). Medians of %d runs; the role's "
        "second run on each node is the idempotent one (changed=0 checked)." % (SOCI_VERSION, RUNS),
        "",
        "| run | converge wall | vs seed | controller CPU | podman calls | tasks | idempotent wall | idempotent CPU "
        "| idempotent calls |",
        "|---|---|---|---|---|---|---|---|---|",
        row("role, as shipped (the playbook turns pipelining on)", shipped, data["as_shipped_again"]),
        row("role, `ansible_pipelining: false` in the inventory", unpiped, data["no_pipelining_again"]),
        "| seed bash userData | %.1f s | 1.0× | %.1f s | %d | - | - | - | - |" % (
            seed_wall, median(seed, "cpu"), median(seed, "calls")),
        "| floor: a playbook with one `raw` task (`tests/bench/floor.yml`) | %.1f s | %.1f× | %.1f s | %d | 1 "
        "| - | - | - |" % (median(floor, "wall"), median(floor, "wall") / seed_wall, median(floor, "cpu"),
                           median(floor, "calls")),
        "",
        "Fleet (as shipped, forks = nodes): " + ", ".join(
            "%d node%s %.1f s wall, %.1f s CPU" % (n, "s" if n > 1 else "", fleet[n]["wall"], fleet[n]["cpu"])
            for n in FLEETS) + ".",
        "",
        "Containerd patch engine (`plugins/plugin_utils/_containerd_config.py`, CPU time, best of 5; configs from "
        "the property suite's generator, tables nested under their parents or appended after them): " + ", ".join(
            "%s %d lines %.1f ms" % (k.split("-")[0], v["lines"], v["ms"]) for k, v in engine.items()) + ".",
        "",
        "## Against the targets of issue 13",
        "",
        "- converge vs seed: " + verdict(median(shipped, "wall") / seed_wall, TARGETS["converge_ratio"], "×"),
        "- controller CPU per node, converge: " + verdict(median(shipped, "cpu"), TARGETS["converge_cpu"], " s"),
        "- controller CPU per node, idempotent: " + verdict(median(data["as_shipped_again"], "cpu"),
                                                            TARGETS["idempotent_cpu"], " s")
        + "; the floor (a playbook with one raw task) takes %.1f s" % median(floor, "cpu"),
        "- %d nodes vs 1, wall: " % FLEETS[-1] + verdict(ratio, TARGETS["fleet_ratio"], "×"),
        "- patch engine at 5,000 lines, either order: " + verdict(worst_patch, TARGETS["patch_ms"], " ms", "%.0f")
        + "; 300 → 5,000 lines (16.7× the lines) took at most %.1f× the time" % growth,
        "",
        "Raw numbers: `.cache/bench/results.json` after a run.",
        "",
    ]
    with open(REPORT, "w") as handle:
        handle.write("\n".join(out))


def main():
    os.makedirs(WORK, exist_ok=True)
    folder = tempfile.mkdtemp(prefix="run-", dir=WORK)
    wrapper, log = podman_counter(folder)
    run(os.path.join(RESOURCES, "services.sh"), "start", STATE)
    try:
        print("bench: preparing the EKS AL2-style node image", flush=True)
        prepared_image("trixie", {"lazypull_layout": "eks_al2"}, IMAGE)
        data = {"machine": machine()}
        print("bench: the role, as shipped (%d fresh nodes)" % RUNS, flush=True)
        data["as_shipped"], data["as_shipped_again"] = role_runs(folder, wrapper, log, True)
        print("bench: the role with ansible_pipelining: false (%d fresh nodes)" % RUNS, flush=True)
        data["no_pipelining"], data["no_pipelining_again"] = role_runs(folder, wrapper, log, False)
        assert median(data["no_pipelining"], "calls") > median(data["as_shipped"], "calls"), \
            "ansible_pipelining: false in the inventory made no difference: the playbook overrode it"
        print("bench: the floor, a playbook with one raw task (%d runs)" % RUNS, flush=True)
        data["floor"] = floor_runs(folder, wrapper, log)
        print("bench: the seed's bash userData (%d fresh nodes)" % RUNS, flush=True)
        data["seed"] = seed_runs(folder, wrapper, log)
        print("bench: fleets of %s nodes" % "/".join(str(n) for n in FLEETS), flush=True)
        data["fleet"] = fleet_runs(folder, wrapper, log)
        data["patch_engine"] = patch_engine()
    finally:
        run(os.path.join(RESOURCES, "services.sh"), "stop", STATE)
    with open(os.path.join(WORK, "results.json"), "w") as handle:
        json.dump(data, handle, indent=1)
    report(data)
    with open(REPORT) as handle:
        print(handle.read())
    podman("rmi", "--force", IMAGE, check=False)


if __name__ == "__main__":
    main()

# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Nodes that differ from the test nodes in what the role has to read from them: no lspci on a GPU node, an nvidia
module that cannot be unloaded, an older glibc, fusermount3 without fusermount, an AMI package with an older SOCI.
What a container cannot have (a PCI device, a kernel module, another glibc, another SOCI build) is a TEST STAND-IN
written by the test and named so on the node; the role, containerd and SOCI are real."""

from __future__ import annotations

import os
import re
import tarfile

from node import REGISTRY, REPO, one_line

INSTALL = "lazypull.soci.install"
SOCKET = "/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock"
GSP_CONF = "/etc/modprobe.d/nvidia-gsp.conf"
GPU_NODE = {"soci_instance_type": "g5.xlarge"}  # a family whose GSP firmware the role turns off

# TEST STAND-IN for a node's PCI devices (a container has no NVIDIA GPU): sysfs entries of one NVIDIA device and one
# other, on a tmpfs over the container's /sys/bus/pci/devices.
PCI_DEVICES = ("mount -t tmpfs lazypull-stand-in-pci /sys/bus/pci/devices && "
               "mkdir /sys/bus/pci/devices/0000:00:1e.0 /sys/bus/pci/devices/0000:00:00.0 && "
               "echo 0x10de > /sys/bus/pci/devices/0000:00:1e.0/vendor && "
               "echo 0x8086 > /sys/bus/pci/devices/0000:00:00.0/vendor")

# TEST STAND-INS for the kernel's modules. The node is a privileged container on the test machine's kernel: its own
# lsmod would list that machine's modules and its rmmod would unload them, so neither runs here. lsmod lists what the
# case says; where the driver is loaded, rmmod cannot unload it (in use) and `modprobe nvidia` does nothing and
# succeeds, as the real ones do on such a node.
LOADED = ("nvidia_uvm 1 0", "nvidia_drm 1 0", "nvidia_modeset 1 1 nvidia_drm", "nvidia 1 2 nvidia_uvm,nvidia_modeset")
KERNEL_MODULES = r"""
cat > /usr/local/sbin/lsmod <<'EOF'
#!/bin/sh
# TEST STAND-IN: lsmod of a node whose nvidia driver is @STATE@
printf 'Module                  Size  Used by\n@LISTING@'
EOF
cat > /usr/local/sbin/rmmod <<'EOF'
#!/bin/sh
# TEST STAND-IN: rmmod of a driver in use (never the test machine's kernel)
echo "rmmod: ERROR: Module $1 is in use" >&2
exit 1
EOF
cat > /usr/local/sbin/modprobe <<'EOF'
#!/bin/sh
# TEST STAND-IN: the nvidia module is loaded, so `modprobe nvidia` does nothing and succeeds
[ "$1" = nvidia ] && exit 0
exec /usr/sbin/modprobe "$@"
EOF
chmod 0755 /usr/local/sbin/lsmod /usr/local/sbin/rmmod /usr/local/sbin/modprobe
"""


def kernel_modules(loaded):
    listing = "".join(line + "\\n" for line in LOADED) if loaded else ""
    return KERNEL_MODULES.replace("@STATE@", "loaded and in use" if loaded else "not loaded").replace("@LISTING@", listing)


def test_gpu_node_without_lspci(fresh_node, record):
    record.update(group="Node differences", what="a g5 node with an NVIDIA device and no `lspci` (pciutils is not "
                                                 "installed; a stand-in sysfs lists the device)",
                  expected="the GPU is found in sysfs: GSP firmware is turned off for the next load of the driver "
                           "(not loaded, so no reboot is needed)")
    node = fresh_node("gpu-without-lspci")
    node.sh(PCI_DEVICES)
    node.sh(kernel_modules(loaded=False))
    lspci = node.sh("command -v lspci", check=False).returncode
    result = node.play(INSTALL, GPU_NODE)
    gsp = node.sh("cat %s 2>/dev/null; true" % GSP_CONF).stdout.strip()
    reboot = node.sh("test -e /run/reboot-required", check=False).returncode == 0
    record["observed"] = "lspci %s; rc=%d; %s %s; reboot required: %s" % (
        "missing" if lspci else "PRESENT", result.rc, GSP_CONF, repr(gsp) if gsp else "not written",
        "yes" if reboot else "no")
    assert lspci != 0, "the node has lspci: this case is about nodes without it"
    assert result.rc == 0, result.log
    assert gsp == "options nvidia NVreg_EnableGpuFirmware=0" and not reboot


def test_gpu_driver_that_cannot_be_unloaded(fresh_node, record):
    record.update(group="Node differences", what="a g5 node whose nvidia driver is loaded and in use (stand-in "
                                                 "lsmod/rmmod/modprobe), `soci_gpu_driver_reload: true`: rmmod fails",
                  expected="the GSP setting is written, the reload reports what rmmod said and does not claim "
                           "success: /run/reboot-required is written and the run says a reboot is required")
    node = fresh_node("gpu-driver-not-unloaded")
    node.sh(PCI_DEVICES)
    node.sh(kernel_modules(loaded=True))
    result = node.play(INSTALL, dict(GPU_NODE, soci_gpu_driver_reload=True))
    reload = result.tasks.get("Reload the nvidia driver", {})
    said = result.tasks.get("Report that a reboot is required", {}).get("msg", "")
    flag = node.sh("cat /run/reboot-required 2>/dev/null; true").stdout.strip()
    record["observed"] = "rc=%d; driver reload changed=%s; /run/reboot-required %s; said: %s" % (
        result.rc, reload.get("changed"), "written" if flag else "NOT written", one_line(said) or "nothing")
    assert result.rc == 0, result.log
    assert reload.get("changed") is False and "rmmod nvidia_uvm failed" in reload.get("stdout", ""), reload
    assert "nvidia GSP firmware setting" in flag
    assert re.match(r"reboot required: .* \(the driver could not be unloaded: rmmod: ERROR: Module nvidia_uvm is in use; "
                    r"rmmod nvidia_uvm failed\)\.$", said), said


def newest_glibc_symbol(binary):
    """The newest GLIBC_x.y symbol version an ELF file asks for (the glibc it needs at least)."""
    found = {tuple(int(n) for n in m) for m in re.findall(rb"GLIBC_(\d+)\.(\d+)", binary)}
    assert found, "no GLIBC_ symbol version in the dynamic soci-snapshotter-grpc"
    return ".".join(str(n) for n in max(found))


def test_older_glibc_gets_the_static_release(fresh_node, record, good_archive):
    with open(os.path.join(REPO, "roles", "soci", "vars", "main.yml")) as handle:
        rule = re.search(r'^__soci_dynamic_min_glibc: "(.+)"$', handle.read(), re.M).group(1)
    with tarfile.open(good_archive) as archive:
        dynamic_needs = newest_glibc_symbol(archive.extractfile("soci-snapshotter-grpc").read())
    record.update(group="Node differences", what="the node's glibc is 2.31 (Debian 11, Ubuntu 20.04; a stand-in "
                                                 "`getconf` reports it)",
                  expected="the -static release is installed (the dynamic one needs glibc %s) and SOCI serves "
                           "containerd" % rule)
    node = fresh_node("glibc-2.31")
    node.sh("printf '#!/bin/sh\\n# TEST STAND-IN: a node with glibc 2.31\\n[ \"$1\" = GNU_LIBC_VERSION ] && "
            "echo \"glibc 2.31\" || exec /usr/bin/getconf \"$@\"\\n' > /usr/local/bin/getconf && "
            "chmod 0755 /usr/local/bin/getconf")
    result = node.play(INSTALL)
    chosen = sorted(set(re.findall(r"soci-snapshotter-[\d.]+-linux-\w+(?:-static)?\.tar\.gz", " ".join(result.messages))))
    linked = node.sh("ldd /usr/local/bin/soci-snapshotter-grpc 2>&1; true").stdout.strip()
    ran = node.runs_a_container() if result.rc == 0 else "-"
    record["observed"] = ("the dynamic release's newest glibc symbol is GLIBC_%s (rule: %s); rc=%d; installed %s; "
                          "ldd: %s; containers run with %s" % (dynamic_needs, rule, result.rc, ", ".join(chosen) or
                                                               "nothing named", one_line(linked), ran))
    assert result.rc == 0, result.log
    assert len(chosen) == 1 and chosen[0].endswith("-static.tar.gz"), chosen
    assert "not a dynamic executable" in linked and ran == "soci"
    # The rule holds for the binaries served: the dynamic one would not load on 2.31, and needs no newer glibc.
    assert [int(n) for n in dynamic_needs.split(".")] > [2, 31], dynamic_needs
    assert [int(n) for n in dynamic_needs.split(".")] <= [int(n) for n in rule.split(".")], (dynamic_needs, rule)


LAZY_IMAGE = REGISTRY + "/lazypull/large:soci"  # a big layer with a SOCI index: SOCI mounts it through FUSE


def test_fusermount3_without_fusermount(fresh_node, record):
    record.update(group="Node differences", what="the node has `fusermount3` but no `fusermount` (as AL2023 with "
                                                 "only the fuse3 package), then an image is lazily loaded",
                  expected="the role runs its FUSE tools package step (SOCI runs `fusermount`, never "
                           "`fusermount3`; here apt finds fuse3 installed and changes nothing, on AL2023 dnf installs "
                           "`fuse`), and the real SOCI agrees: it found no fusermount and mounted directly")
    node = fresh_node("fusermount3-only")
    # /bin/sh is bash, as on Amazon Linux (prepare.yml): a lookup of both names finds fusermount3 there, not in dash.
    assert node.sh("readlink -f /bin/sh").stdout.strip() == "/usr/bin/bash"
    node.sh("rm /usr/bin/fusermount && command -v fusermount3 >/dev/null")
    result = node.play(INSTALL)
    fuse_tools = result.tasks.get("Install FUSE's userspace tools (SOCI mounts with fusermount when it is there)", {})
    node.sh("crictl --image-endpoint unix://%s --timeout 120s pull %s >/dev/null" % (SOCKET, LAZY_IMAGE))
    soci_saw = node.sh("journalctl -u soci-snapshotter.service | grep -c 'fusermount binary not installed; trying "
                       "direct mount'; true").stdout.strip()
    mounts = node.sh("grep -c ' fuse.rawBridge ' /proc/self/mounts; true").stdout.strip()
    record["observed"] = "rc=%d; FUSE tools package task %s; SOCI logged no fusermount %s times; %s FUSE mounts" % (
        result.rc, "skipped" if fuse_tools.get("skipped") else "run" if fuse_tools else "NOT SEEN", soci_saw, mounts)
    assert result.rc == 0, result.log
    assert fuse_tools and not fuse_tools.get("skipped"), fuse_tools
    assert int(soci_saw) >= 1 and int(mounts) >= 1


# TEST STAND-IN for the daemon of an older AMI package (SOCI 0.11.1): it names that version and, as 0.11's flag parsing
# did, takes `config dump` for no command at all and starts serving (here: never returns). Anything else runs the real
# daemon of the AMI package, moved aside. Every call is logged.
OLD_AMI_SOCI = r"""
mv /usr/bin/soci-snapshotter-grpc /usr/bin/soci-snapshotter-grpc.ami
cat > /usr/bin/soci-snapshotter-grpc <<'EOF'
#!/bin/sh
# TEST STAND-IN: the soci-snapshotter-grpc of an AMI package with SOCI 0.11.1 (no `config dump`)
echo "$*" >> /run/lazypull-old-soci.calls
case " $* " in
  *" --version "*|*" -version "*) echo "soci-snapshotter-grpc version v0.11.1 28781de67319"; exit 0 ;;
  *" config "*) exec sleep infinity ;;
esac
exec /usr/bin/soci-snapshotter-grpc.ami "$@"
EOF
chmod 0755 /usr/bin/soci-snapshotter-grpc
"""


def test_ami_soci_without_config_dump(fresh_al2023_node, record):
    record.update(group="Node differences", what="the AL2023 AMI's SOCI package is an older one, SOCI 0.11.1, whose "
                                                 "daemon has no `config dump` (a stand-in that serves instead)",
                  expected="the role never asks it to `config dump` (it would not return): it says the new config "
                           "is not read first, writes it, and containers run through `soci` after its restart")
    node = fresh_al2023_node("ami-soci-0.11")
    node.sh(OLD_AMI_SOCI)
    result = node.play(INSTALL)
    calls = node.sh("cat /run/lazypull-old-soci.calls").stdout.splitlines()
    dumps = [call for call in calls if "config" in call.split()]
    said = [m for m in result.messages if "has no `config dump`" in m]
    ran = node.runs_a_container() if result.rc == 0 else "-"
    record["observed"] = "rc=%d; `config dump` asked %d times; said: %s; containers run with %s" % (
        result.rc, len(dumps), "\"%s\"" % one_line(said[0]).rstrip(".") if said else "nothing", ran)
    assert result.rc == 0, result.log
    assert dumps == [], dumps
    assert len(said) == 1 and ran == "soci"

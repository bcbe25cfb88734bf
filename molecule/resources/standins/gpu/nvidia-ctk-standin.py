# TEST STAND-IN for `nvidia-ctk runtime configure --runtime=containerd --set-as-default [--config=FILE]` of the
# NVIDIA container toolkit (NVIDIA/nvidia-container-toolkit, cmd/nvidia-ctk/runtime/configure and
# pkg/config/engine/containerd). It is not NVIDIA's tool. The version it behaves like is the one in
# /etc/lazypull-standin/nvidia-ctk-version (default 1.17.8):
#   < 1.18   rewrite containerd's config with an `nvidia` runtime (runc v2 shim, BinaryName nvidia-container-runtime)
#            and make it the CRI default;
#   >= 1.18  write a drop-in instead (1.18.0: /etc/containerd/config.d/99-nvidia.toml, later: conf.d/) holding the
#            source's `version` and a full copy of its CRI runtime plugin (schema 2: the whole
#            plugins."io.containerd.grpc.v1.cri"; schema 3: plugins."io.containerd.cri.v1.runtime") with the nvidia
#            runtime added, and import it from the main file, which is re-serialized (1.18.0 drops other imports).
import copy
import os
import sys
import tomllib

sys.path.insert(0, "/usr/local/lib")
from toml_dump import dump_toml  # noqa: E402

args = sys.argv[1:]
if args[:2] != ["runtime", "configure"] or "--runtime=containerd" not in args:
    sys.exit("nvidia-ctk (stand-in): only `runtime configure --runtime=containerd [--set-as-default]` is implemented")
try:
    with open("/etc/lazypull-standin/nvidia-ctk-version") as handle:
        version = tuple(int(part) for part in handle.read().strip().split("."))
except FileNotFoundError:
    version = (1, 17, 8)
path = next((a.split("=", 1)[1] for a in args if a.startswith("--config=")), "/etc/containerd/config.toml")
with open(path, "rb") as handle:
    config = tomllib.load(handle)
schema = config.get("version", 1)
plugin = "io.containerd.cri.v1.runtime" if schema >= 3 else "io.containerd.grpc.v1.cri"


def add_nvidia(cri_plugin):
    runtime_table = cri_plugin.setdefault("containerd", {})
    runtime_table.setdefault("runtimes", {})["nvidia"] = {
        "runtime_type": "io.containerd.runc.v2",
        "options": {"BinaryName": "/usr/bin/nvidia-container-runtime", "SystemdCgroup": True},
    }
    if "--set-as-default" in args:
        runtime_table["default_runtime_name"] = "nvidia"


if version < (1, 18):
    add_nvidia(config.setdefault("plugins", {}).setdefault(plugin, {}))
    written = path
else:
    folder = "/etc/containerd/config.d" if version == (1, 18, 0) else "/etc/containerd/conf.d"
    dropin = {"version": schema, "plugins": {plugin: copy.deepcopy(config.get("plugins", {}).get(plugin, {}))}}
    add_nvidia(dropin["plugins"][plugin])
    os.makedirs(folder, exist_ok=True)
    written = os.path.join(folder, "99-nvidia.toml")
    with open(written, "w") as handle:
        handle.write(dump_toml(dropin).lstrip("\n"))
    pattern = os.path.join(folder, "*.toml")
    imports = [] if version == (1, 18, 0) else list(config.get("imports", []))
    if pattern not in imports:
        imports.append(pattern)
    config = {"version": schema, "imports": imports, **{k: v for k, v in config.items() if k not in ("version", "imports")}}
with open(path, "w") as handle:
    handle.write(dump_toml(config).lstrip("\n"))
print(f"Wrote updated config to {written}")

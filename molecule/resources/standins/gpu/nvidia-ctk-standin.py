# TEST STAND-IN for `nvidia-ctk runtime configure --runtime=containerd --set-as-default [--config=FILE]` as
# nvidia-container-toolkit before 1.18 does it: rewrite containerd's config with an `nvidia` runtime (runc v2 shim,
# BinaryName nvidia-container-runtime) and make it the CRI default. It is not NVIDIA's tool.
import sys
import tomllib

sys.path.insert(0, "/usr/local/lib")
from toml_dump import dump_toml  # noqa: E402

args = sys.argv[1:]
if args[:2] != ["runtime", "configure"] or "--runtime=containerd" not in args:
    sys.exit("nvidia-ctk (stand-in): only `runtime configure --runtime=containerd [--set-as-default]` is implemented")
path = next((a.split("=", 1)[1] for a in args if a.startswith("--config=")), "/etc/containerd/config.toml")
with open(path, "rb") as handle:
    config = tomllib.load(handle)
version = config.get("version", 1)
cri = config.setdefault("plugins", {})
if version >= 3:
    runtime_table = cri.setdefault("io.containerd.cri.v1.runtime", {}).setdefault("containerd", {})
else:
    runtime_table = cri.setdefault("io.containerd.grpc.v1.cri", {}).setdefault("containerd", {})
runtime_table.setdefault("runtimes", {})["nvidia"] = {
    "runtime_type": "io.containerd.runc.v2",
    "options": {"BinaryName": "/usr/bin/nvidia-container-runtime", "SystemdCgroup": True},
}
if "--set-as-default" in args:
    runtime_table["default_runtime_name"] = "nvidia"
with open(path, "w") as handle:
    handle.write(dump_toml(config).lstrip("\n"))
print(f"Wrote updated config to {path}")

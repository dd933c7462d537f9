# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "SLMC"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["lib", "unit", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.slmc_obj_root, "test")

# Debian's python3-onnx lives under /usr/bin/python3 (the default python3
# may be a bare pyenv).
config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(("%testlib", os.path.join(config.test_source_root, "lib")))
config.substitutions.append(("%shared", config.shared_dir))
config.substitutions.append(("%slmc_tools", config.slmc_tools_dir))

llvm_config.with_system_environment(["HOME", "TMPDIR", "CI"])
llvm_config.use_default_substitutions()
llvm_config.add_tool_substitutions(["slmc-opt", "slmc", "slmc-fill-weights", "slmc-run",
                                    "slm-test-package"],
                                   [config.slmc_tools_dir])
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

# Sanitizer builds skip the long accuracy runs (they measure the model, not
# memory safety; the release suite runs them).
if config.slmc_asan.upper() in ("ON", "1", "TRUE", "YES"):
    config.available_features.add("asan")

if os.path.isdir(os.path.join(config.shared_dir, "models")):
    config.available_features.add("shared-models")
elif os.environ.get("CI") == "true":
    lit_config.fatal("CI=true but the shared models are missing at " + config.shared_dir)
else:
    lit_config.note("shared models not found at %s: e2e model tests are skipped"
                    % config.shared_dir)

# Arm64 packages run on this host through the aarch64 build of slmc-run under
# qemu-aarch64-static (tools/slmc-run/CMakeLists.txt builds it when the
# arm64 cross sysroot is installed).
import shutil
config.substitutions.append(("%aarch64_bin", os.path.join(config.slmc_obj_root, "aarch64", "bin")))
if shutil.which("qemu-aarch64-static") and os.access(
        os.path.join(config.slmc_obj_root, "aarch64", "bin", "slmc-run"), os.X_OK):
    config.available_features.add("qemu-aarch64")
elif os.environ.get("CI") == "true":
    lit_config.fatal("CI=true but qemu-aarch64-static or the aarch64 slmc-run is missing "
                     "(scripts/deps.sh installs the arm64 cross sysroot and qemu-user-static)")
else:
    lit_config.note("qemu-aarch64-static or the aarch64 slmc-run is missing: "
                    "Arm64 run tests are skipped")

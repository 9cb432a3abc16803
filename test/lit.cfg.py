# -*- Python -*-
import os
import sys

import lit.formats
from lit.llvm import llvm_config

config.name = "attn"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.attn_obj_root, "test")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "unit", "gpu"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

tool_dirs = [config.attn_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["attn-opt", "attn-compile", "attn-cpu-run"], tool_dirs)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

if config.ptxas and os.path.exists(config.ptxas):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", config.ptxas))

# cuobjdump + nvdisasm (for `cuobjdump -sass`): on PATH, next to ptxas, or
# from PyPI's nvidia-cuda-cuobjdump / nvidia-cuda-nvdisasm wheels, which
# .ci/run installs (test/scripts/cuda_binutils.py searches). Without them the
# SASS tests are UNSUPPORTED; with ATTN_REQUIRE_CUOBJDUMP=1 (.ci/run sets it)
# their absence is a configuration error instead.
sys.path.insert(0, os.path.join(config.test_source_root, "scripts"))
import cuda_binutils

cuda_tools = cuda_binutils.find(
    [os.path.dirname(config.ptxas)] if config.ptxas else [])
if cuda_tools:
    config.available_features.add("cuobjdump")
    config.substitutions.append(("%cuobjdump", cuda_tools["cuobjdump"]))
    llvm_config.with_environment(
        "PATH", os.path.dirname(cuda_tools["nvdisasm"]), append_path=True)
elif os.environ.get("ATTN_REQUIRE_CUOBJDUMP") == "1":
    lit_config.fatal("ATTN_REQUIRE_CUOBJDUMP=1 but cuobjdump/nvdisasm were not "
                     "found (run python3 test/scripts/cuda_binutils.py)")

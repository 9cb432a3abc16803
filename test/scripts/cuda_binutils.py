#!/usr/bin/env python3
"""Finds cuobjdump and nvdisasm (`cuobjdump -sass` runs nvdisasm from PATH).

The lit configuration (test/lit.cfg.py: feature `cuobjdump`, `%cuobjdump`)
and .ci/run (which installs them from PyPI and then checks with this script)
share this search, so CI finds what it installed. Looked for, in order:
PATH, the given CUDA toolkit bin directories, then the `nvidia` wheels
(nvidia-cuda-cuobjdump / nvidia-cuda-nvdisasm: nvidia/cu13/bin for 13.x,
nvidia/cuda_*/bin for 12.x) on the sys.path of this interpreter and of the
`python3` and `python` on PATH (lit runs under /usr/bin/python3, pip may
have installed into another interpreter, a pyenv one say).

Run alone, it prints the two paths and cuobjdump's release line;
status 1, with the reason, when either is missing or does not run.
"""

import glob
import os
import shutil
import subprocess
import sys

TOOLS = ("cuobjdump", "nvdisasm")


def _runs(path):
    try:
        return subprocess.run([path, "--version"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _python_paths():
    """sys.path entries of this interpreter and of python3/python on PATH."""
    seen, paths = set(), list(sys.path)
    for name in (sys.executable, shutil.which("python3"), shutil.which("python")):
        if not name or name in seen:
            continue
        seen.add(name)
        try:
            out = subprocess.run(
                [name, "-c", "import sys; print('\\n'.join(sys.path))"],
                capture_output=True, text=True, timeout=30).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        paths += out.splitlines()
    return [p for p in dict.fromkeys(paths) if p and os.path.isdir(p)]


def find(toolkit_bin_dirs=()):
    """{tool: absolute path} for both tools, or None if either is missing."""
    found = {}

    def take(candidates):
        for tool in TOOLS:
            if tool in found:
                continue
            for path in candidates(tool):
                if path and os.access(path, os.X_OK) and _runs(path):
                    found[tool] = os.path.abspath(path)
                    break

    take(lambda tool: [shutil.which(tool)])
    take(lambda tool: [os.path.join(d, tool) for d in toolkit_bin_dirs if d])
    if len(found) < len(TOOLS):
        roots = _python_paths()
        take(lambda tool: [p for root in roots for p in sorted(
            glob.glob(os.path.join(root, "nvidia", "*", "bin", tool)))])
    return found if len(found) == len(TOOLS) else None


def main():
    tools = find(sys.argv[1:] or ["/usr/local/cuda/bin"])
    if not tools:
        print("cuda_binutils.py: cuobjdump and nvdisasm not found (PATH, CUDA "
              "toolkit, pip's nvidia-cuda-cuobjdump/nvidia-cuda-nvdisasm)",
              file=sys.stderr)
        return 1
    for tool in TOOLS:
        print(tools[tool])
    version = subprocess.run([tools["cuobjdump"], "--version"], capture_output=True,
                             text=True).stdout
    print(next((l for l in version.splitlines() if "release" in l), "cuobjdump: no version"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

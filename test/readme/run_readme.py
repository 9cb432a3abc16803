#!/usr/bin/env python3
"""Runs every command of README.md's ```sh blocks, verbatim, and fails when
one breaks; compiles its ```cpp blocks.

Two passes, each in a scratch directory of its own whose entries are links
to the repository's (so `examples/attention.mlir` and `bash tools/...` work
as written and outputs such as fused.ptx land in the scratch directory):

  build tree    `build` is a link to the build directory (--build);
  install tree  the build is installed into a fresh prefix and every command
                that runs a tool from `build/bin/` runs it from `PREFIX/bin/`
                instead; commands about the source tree (scripts, cmake) run
                in the first pass only.

A command is one line (with its `\\` continuations), run by
`bash -o pipefail -c` with HOME in the scratch directory. It must exit 0, or
the status its trailing comment names as "(exit N)"; where this machine has
no GPU, 77 (SKIPPED) is accepted too. A block opts out with an HTML comment
on the line before its fence, only for a GPU or a long time:

  <!-- readme-test: skip gpu: why -->            the whole block
  <!-- readme-test: skip "COMMAND" long: why --> the commands starting so

A ```cpp block is compiled (g++ -fsyntax-only) against the build's sources
and against the install tree's headers.

  test/readme/run_readme.py --build build --work /tmp/readme [--pass build|install|both]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIRECTIVE = re.compile(r'<!--\s*readme-test:\s*skip\s+(?:"([^"]+)"\s+)?(gpu|long):\s*(.*?)\s*-->')


class Block:
    def __init__(self, lang, line, text, skips):
        self.lang, self.line, self.text, self.skips = lang, line, text, skips

    def commands(self):
        """(line number, command) of each command, continuations joined."""
        result, current, start = [], "", None
        for i, line in enumerate(self.text.split("\n")):
            if start is None:
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                start = self.line + 1 + i
            current += line
            if line.endswith("\\"):
                current += "\n"
                continue
            result.append((start, current))
            current, start = "", None
        return result

    def skip_reason(self, command):
        for prefix, kind, why in self.skips:
            if prefix is None or command.startswith(prefix):
                return f"{kind}: {why}"
        return None


def read_blocks(path):
    blocks, skips = [], []
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = DIRECTIVE.search(lines[i])
        if m:
            skips.append(m.groups())
        fence = re.match(r"^```(\w*)\s*$", lines[i])
        if fence and fence.group(1):
            start = i
            body = []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            blocks.append(Block(fence.group(1), start + 1, "\n".join(body), skips))
            skips = []
        elif lines[i].strip() and not m:
            skips = []  # A directive applies to the very next block only.
        i += 1
    for block in blocks:
        for prefix, kind, why in block.skips:
            if prefix and not any(c.startswith(prefix) for _, c in block.commands()):
                sys.exit(f"run_readme.py: README.md:{block.line}: a skip names "
                         f"'{prefix}', which no command of the block starts with")
    return blocks


def have_gpu():
    try:
        return subprocess.run(["nvidia-smi", "-L"], capture_output=True).returncode == 0
    except OSError:
        return False


def scratch(work, name, build_link):
    """A directory of links to the repository's entries (and `build`)."""
    path = os.path.join(work, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(os.path.join(path, "home"))
    for entry in os.listdir(ROOT):
        if entry not in (".git", "build"):
            os.symlink(os.path.join(ROOT, entry), os.path.join(path, entry))
    if build_link:
        os.symlink(build_link, os.path.join(path, "build"))
    return path


def expected_status(command):
    m = re.search(r"#.*\(exit (\d+)\)", command)
    return int(m.group(1)) if m else 0


class Runner:
    def __init__(self, gpu, timeout):
        self.gpu, self.timeout = gpu, timeout
        self.failures, self.ran, self.skipped = [], 0, 0

    def run(self, where, line, command, cwd):
        env = dict(os.environ, HOME=os.path.join(cwd, "home"))
        env.pop("ATTN_CACHE_DIR", None)
        print(f"$ {command}", flush=True)
        try:
            run = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=cwd,
                                 env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, timeout=self.timeout)
            status, output = run.returncode, run.stdout.decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            status, output = None, f"(still running after {self.timeout} s)"
        tail = "\n".join(output.rstrip().split("\n")[-15:])
        want = expected_status(command)
        self.ran += 1
        if status == want:
            return
        if status == 77 and not self.gpu:
            print("  (status 77: skipped, no GPU here)")
            self.skipped += 1
            return
        print(f"  FAILED: status {status}, expected {want}\n{tail}", flush=True)
        self.failures.append(f"README.md:{line} ({where}): `{command}` exited "
                             f"{status}, expected {want}")

    def compile(self, where, block, includes, work):
        path = os.path.join(work, f"readme-{block.line}.cpp")
        with open(path, "w") as f:
            f.write(block.text + "\n")
        command = ["g++", "-std=c++17", "-fsyntax-only", path] + [f"-I{i}" for i in includes]
        print(f"$ {' '.join(command)}", flush=True)
        run = subprocess.run(command, capture_output=True, text=True)
        self.ran += 1
        if run.returncode != 0:
            print(f"  FAILED\n{run.stderr[-3000:]}", flush=True)
            self.failures.append(f"README.md:{block.line} ({where}): the C++ block "
                                 "does not compile")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", required=True, help="the build directory")
    parser.add_argument("--work", required=True, help="scratch space (replaced)")
    parser.add_argument("--pass", dest="which", choices=["build", "install", "both"],
                        default="both")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per command")
    parser.add_argument("readme", nargs="?", default=os.path.join(ROOT, "README.md"))
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    blocks = read_blocks(args.readme)
    gpu = have_gpu()
    runner = Runner(gpu, args.timeout)
    cuda = "/usr/local/cuda/include"

    if args.which in ("build", "both"):
        cwd = scratch(work, "build-tree", build)
        print(f"== README.md on the build tree ({cwd})", flush=True)
        for block in blocks:
            if block.lang == "cpp":
                runner.compile("build tree", block, [ROOT, cuda], work)
            if block.lang != "sh":
                continue
            for line, command in block.commands():
                reason = block.skip_reason(command)
                if reason:
                    print(f"# skipped ({reason}): {command}")
                    runner.skipped += 1
                    continue
                runner.run("build tree", line, command, cwd)

    if args.which in ("install", "both"):
        prefix = os.path.join(work, "prefix")
        shutil.rmtree(prefix, ignore_errors=True)
        subprocess.run(["cmake", "--install", build, "--prefix", prefix], check=True,
                       stdout=subprocess.DEVNULL)
        cwd = scratch(work, "install-tree", None)
        print(f"== README.md on an install tree ({prefix})", flush=True)
        for block in blocks:
            if block.lang == "cpp":
                runner.compile("install tree", block, [os.path.join(prefix, "include", "attn"),
                                                       cuda], work)
            if block.lang != "sh":
                continue
            for line, command in block.commands():
                if "build/bin/" not in command or block.skip_reason(command):
                    continue
                runner.run("install tree", line,
                           command.replace("build/bin/", prefix + "/bin/"), cwd)

    print(f"== {runner.ran} command(s) run, {runner.skipped} skipped, "
          f"{len(runner.failures)} failed")
    for failure in runner.failures:
        print(f"FAILED {failure}")
    return 1 if runner.failures else 0


if __name__ == "__main__":
    sys.exit(main())

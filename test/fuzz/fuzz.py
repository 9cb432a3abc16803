#!/usr/bin/env python3
"""Mutation fuzzer of attn's drivers.

Mutants of the project's own .mlir inputs (examples/, test/**, and the IR of
every rung that attn-opt makes from a few problems) go through attn-opt
(each attn pass alone, --attn-report-cost, both pipelines with a few option
sets), attn-compile, attn-cpu-run and the JIT's compile(mlirText)
(attn-jit-compile-file), each run under a time limit. A run is fine when it
exits 0 ("ok"), or 1 with an "error:" (or attn-cpu-run's "FAIL") line
("refused"). Findings:

  crash      a signal, a status >= 128, or "LLVM ERROR", "PLEASE submit a
             bug report", "Stack dump" in the output
  recovered  the tool caught a crash ("the compiler crashed while ...") outside
             the parser: a bug the crash recovery hid
  timeout    over --timeout seconds of CPU time, or still running after
             30 times that in wall-clock time (twice: a retry rules out a
             machine too busy for it)
  silent     a failure status without an error line (reported, not fatal)

A recovered crash that plain `attn-opt FILE` (parse and print) reproduces is
an upstream parser bug the tools turn into one error line as they should:
counted as "parser", not a finding; other findings on such input carry
"[parser]" in their signature. Findings listed in known-findings.txt (open
bugs, each with who fixes it) are counted as "known" and do not fail the run.

Mutant i of seed S is the same on every run and machine for the same
corpus, i.e. the same commit (its random state is derived from "S:i"), so a
finding is reproduced by its saved input and command, or by --seed S
--first i --count 1. Each finding is saved once per
(kind, target, signature) under OUT/findings/ (replaced at every run) with
the command that failed; OUT/summary.json has the counts.

  test/fuzz/fuzz.py --build build --out /tmp/fuzz --seed 1 --count 100000 --jobs 2

Exit status: 0 no crash, recovered crash or time-out; 1 otherwise; 2 usage.
"""

import argparse
import concurrent.futures
import fnmatch
import hashlib
import json
import math
import os
import random
import re
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CRASH_MARKERS = ("LLVM ERROR", "PLEASE submit a bug report", "Stack dump",
                 "terminate called", "Assertion `")
RECOVERED_MARKER = "the compiler crashed while"
FATAL_KINDS = ("crash", "recovered", "timeout")
# A run is stopped after this many times --timeout of wall-clock time: a
# generous factor, so that a run at nice 19 beside a build is not stopped.
WALL_FACTOR = 30

# Small problems whose IR at every rung seeds the corpus.
PROBLEMS = [(1, 2, 64, 64, "f16", False, False),
            (1, 1, 17, 32, "bf16", True, True),
            (2, 1, 40, 16, "f32", False, False)]
FUSED_RUNGS = ["tiled", "online", "promoted", "gpu", "nvvm"]
UNFUSED_RUNGS = ["tiled", "promoted", "gpu"]


def attention_module(b, h, n, d, dtype, causal, lse):
    t = f"tensor<{b}x{h}x{n}x{d}x{dtype}>"
    lse_t = f"tensor<{b}x{h}x{n}xf32>"
    results = f"{t}, {lse_t}" if lse else t
    return (f"func.func @attention(%q: {t}, %k: {t}, %v: {t}) -> ({results}) {{\n"
            f"  {'%o:2' if lse else '%o'} = attn.attention %q, %k, %v"
            f"{' causal' if causal else ''} : {t}, {t}, {t} -> {results}\n"
            f"  return {'%o#0, %o#1' if lse else '%o'} : {results}\n}}\n")


class Target:
    """A command a mutant goes through; `rungs` is the IR it consumes."""

    def __init__(self, name, argv, rungs):
        self.name, self.argv, self.rungs = name, argv, rungs.split()

    def command(self, tools, path):
        return [tools.get(a, a).replace("{in}", path) for a in self.argv]


# Rungs: attn (attn.attention), tiled, online, promoted, gpu, nvvm; "tile"
# is tile IR of a test whose rung is not known.
TARGETS = [
    Target("opt-parse", ["OPT", "{in}"], "gpu nvvm"),
    Target("opt-tile", ["OPT", "{in}", "-attn-tile"], "attn"),
    Target("opt-tile-unfused", ["OPT", "{in}", "-attn-tile-unfused"], "attn"),
    Target("opt-online", ["OPT", "{in}", "-attn-fuse-online-softmax"], "tiled tile"),
    Target("opt-promote", ["OPT", "{in}", "-attn-promote-shared"], "online tile"),
    Target("opt-to-gpu", ["OPT", "{in}", "-attn-convert-tile-to-gpu"], "promoted tile"),
    Target("opt-to-host", ["OPT", "{in}", "-attn-convert-tile-to-host"],
           "tiled online promoted tile"),
    Target("opt-cost", ["OPT", "{in}", "--attn-report-cost"], "attn"),
    Target("opt-cost-custom", ["OPT", "{in}", "--attn-report-cost=gpu=custom "
                               "peak-tflops=731 bandwidth-tbps=3.0 pipeline=unfused"],
           "attn"),
    Target("opt-fused", ["OPT", "{in}", "--attn-fused-pipeline"], "attn"),
    Target("opt-fused-options", ["OPT", "{in}", "--attn-fused-pipeline=block-m=64 "
                                 "block-n=32 num-warps=4 num-stages=3 chip=sm_80"],
           "attn"),
    Target("opt-fused-promoted", ["OPT", "{in}",
                                  "--attn-fused-pipeline=stop-after=promoted"], "attn"),
    Target("opt-unfused", ["OPT", "{in}", "--attn-unfused-pipeline"], "attn"),
    Target("opt-unfused-gpu", ["OPT", "{in}", "--attn-unfused-pipeline=stop-after=gpu "
                               "chip=sm_90a"], "attn"),
    Target("compile-fused", ["COMPILE", "{in}", "--ptxas=", "-o", "/dev/null"], "attn"),
    Target("compile-unfused", ["COMPILE", "{in}", "--ptxas=", "--pipeline", "unfused",
                               "-o", "/dev/null"], "attn"),
    Target("cpu-run", ["CPU", "{in}", "--max-work=6e8"], "attn"),
    Target("cpu-run-online", ["CPU", "{in}", "--pipeline", "fused", "--rung", "online",
                              "--max-work=6e8"], "attn"),
    Target("jit", ["JIT", "{in}"], "attn"),
    Target("jit-unfused", ["JIT", "{in}", "unfused"], "attn"),
]

# ---------------------------------------------------------------------------
# The corpus.


def split_chunks(text):
    """The inputs in a test file: split-file parts and // ----- cases."""
    parts = re.split(r"^//--- .*$", text, flags=re.M)
    chunks = []
    for part in parts:
        chunks += re.split(r"^// -----\s*$", part, flags=re.M)
    return [c.strip() + "\n" for c in chunks if re.search(r"\b(func|module|gpu|tile|attn)\.", c)]


def repo_seeds():
    files = [os.path.join(ROOT, "examples", f)
             for f in sorted(os.listdir(os.path.join(ROOT, "examples"))) if f.endswith(".mlir")]
    for dirpath, dirnames, filenames in sorted(os.walk(os.path.join(ROOT, "test"))):
        dirnames.sort()
        files += [os.path.join(dirpath, f) for f in sorted(filenames) if f.endswith(".mlir")]
    seeds = []
    for path in files:
        with open(path, encoding="utf-8", errors="replace") as f:
            for i, chunk in enumerate(split_chunks(f.read())):
                rel = os.path.relpath(path, ROOT)
                tag = ("attn" if "attn.attention" in chunk else
                       "gpu" if "gpu.func" in chunk else
                       "tile" if "tile." in chunk else "any")
                seeds.append((f"{rel}#{i}", tag, chunk))
    return seeds


def rung_seeds(tools, out):
    """IR of every rung of both pipelines for a few problems."""
    seeds = []
    with open(os.path.join(ROOT, "examples", "attention.mlir")) as f:
        bases = [("example", f.read())]
    bases += [("p%d" % i, attention_module(*p)) for i, p in enumerate(PROBLEMS)]
    os.makedirs(out, exist_ok=True)
    for name, text in bases:
        src = os.path.join(out, name + ".mlir")
        with open(src, "w") as f:
            f.write(text)
        for pipeline, rungs in (("fused", FUSED_RUNGS), ("unfused", UNFUSED_RUNGS)):
            for rung in rungs:
                if pipeline == "unfused" and "%o:2" in text:
                    continue  # the unfused pipeline refuses the logsumexp
                if name == "example" and rung in ("gpu", "nvvm"):
                    continue  # large; the small problems cover these rungs
                run = subprocess.run([tools["OPT"], src,
                                      f"--attn-{pipeline}-pipeline=stop-after={rung}"],
                                     capture_output=True, text=True, timeout=120)
                if run.returncode != 0:
                    sys.exit(f"fuzz.py: error: cannot make the {rung} IR of {src}:\n"
                             f"{run.stderr}")
                tag = "promoted" if rung == "promoted" or pipeline == "unfused" else rung
                if rung in ("gpu", "nvvm"):
                    tag = rung
                seeds.append((f"{name}-{pipeline}-{rung}", tag, run.stdout))
    return seeds

# ---------------------------------------------------------------------------
# Mutations: each takes (rng, text, corpus) and returns new text.


INTERESTING = ["0", "-1", "1", "2", "3", "7", "8", "15", "16", "17", "31", "32",
               "33", "63", "64", "65", "127", "128", "255", "256", "257", "1000",
               "4096", "65535", "65536", "2147483647", "2147483648", "4294967296",
               "4611686018427387904", "9223372036854775807", "9223372036854775808",
               "18446744073709551616", "123456789012345678901234567890", "-2147483648",
               "1e308", "1e-300", "0.0", "-0.0", "0.5", "1.0e+39", "3.4e38"]
TYPES = ["f16", "bf16", "f32", "f64", "i1", "i8", "i32", "i64", "index", "f8E4M3FN",
         "tf32", "complex<f32>"]
NUMBER = re.compile(r"(?<![\w.#%@])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.])")
TYPE = re.compile(r"\b(?:bf16|f16|f32|f64|i1|i8|i32|i64|index)\b")
SHAPE = re.compile(r"(?<=<)(?:\d+|\?)(?:x(?:\d+|\?))*(?=x[a-z])")
WORD = re.compile(r"[%@^#]?[A-Za-z_][\w.$]*")
SSA = re.compile(r"%[\w#]+")
ATTRIBUTE = re.compile(r"(\b[a-z_]+\s*=\s*)([^,}\s]+)")


def pick(rng, regex, text):
    matches = list(regex.finditer(text))
    return rng.choice(matches) if matches else None


def replace(text, m, new):
    return text[:m.start()] + new + text[m.end():]


def m_byte(rng, text, corpus):
    if not text:
        return text
    i = rng.randrange(len(text))
    choice = rng.random()
    if choice < 0.4:
        c = chr(ord(text[i]) ^ (1 << rng.randrange(7)))
    elif choice < 0.8:
        c = rng.choice("{}()<>[]:,=%@^#!\"'x0-9 \n") if rng.random() < 0.5 else ""
    else:
        c = chr(rng.randrange(1, 256))
    return text[:i] + c + text[i + 1:]


def m_number(rng, text, corpus):
    m = pick(rng, NUMBER, text)
    if not m:
        return text
    value = m.group(0)
    options = INTERESTING + [value + "0", value * 2]
    try:
        v = int(value)
        options += [str(v + 1), str(v - 1), str(v * 2), str(-v), str(v // 2)]
    except ValueError:
        pass
    return replace(text, m, rng.choice(options))


def m_type(rng, text, corpus):
    m = pick(rng, TYPE, text)
    return replace(text, m, rng.choice(TYPES)) if m else text


def m_shape(rng, text, corpus):
    m = pick(rng, SHAPE, text)
    if not m:
        return text
    dims = m.group(0).split("x")
    choice = rng.random()
    i = rng.randrange(len(dims))
    if choice < 0.5:
        dims[i] = rng.choice(INTERESTING[:30] + ["?"])
    elif choice < 0.75 and len(dims) > 1:
        del dims[i]
    else:
        dims.insert(i, rng.choice(["1", "2", "16", "?"]))
    return replace(text, m, "x".join(dims))


def m_lines(rng, text, corpus):
    lines = text.split("\n")
    if len(lines) < 2:
        return text
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    choice = rng.random()
    if choice < 0.4:
        del lines[i]
    elif choice < 0.8:
        lines.insert(j, lines[i])
    else:
        lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


def m_attribute(rng, text, corpus):
    choice = rng.random()
    if choice < 0.3 and "attn.attention" in text:
        # The op's own attributes: scale, causal.
        m = re.search(r"attn\.attention %\S+, %\S+, %\S+", text)
        extra = rng.choice([" causal", " scale 0.5", " scale 1e308", " scale -1.0",
                            " scale 0.0", " scale 1e-300", " scale nan",
                            " scale 1.0 causal", " {foo = 1}"])
        text = text.replace(" causal", "", 1) if rng.random() < 0.3 else text
        return text[:m.end()] + extra + text[m.end():] if m else text
    m = pick(rng, ATTRIBUTE, text)
    if not m:
        return text
    if choice < 0.6:
        return text[:m.start(2)] + rng.choice(INTERESTING + ["true", "unit", "\"\"",
                                                             "[]", "{}", "array<i64>",
                                                             "dense<1>"]) + text[m.end(2):]
    return text[:m.start()] + text[m.end():]  # drop "name = value"


def m_token(rng, text, corpus):
    """A word replaced by a word of the corpus (op names, keywords, symbols)."""
    m = pick(rng, WORD, text)
    if not m:
        return text
    donor = rng.choice(corpus)[2]
    other = pick(rng, WORD, donor)
    return replace(text, m, other.group(0)) if other else text


def m_ssa(rng, text, corpus):
    uses = list(SSA.finditer(text))
    if len(uses) < 2:
        return text
    m = rng.choice(uses)
    return replace(text, m, rng.choice(uses).group(0))


def m_splice(rng, text, corpus):
    donor = rng.choice(corpus)[2].split("\n")
    lines = text.split("\n")
    i, j = rng.randrange(len(lines) + 1), rng.randrange(len(donor) + 1)
    if rng.random() < 0.5:
        return "\n".join(lines[:i] + donor[j:])
    k = min(len(donor), j + rng.randrange(1, 6))
    return "\n".join(lines[:i] + donor[j:k] + lines[i:])


MUTATIONS = [(m_byte, 3), (m_number, 5), (m_type, 3), (m_shape, 4), (m_lines, 3),
             (m_attribute, 3), (m_token, 3), (m_ssa, 2), (m_splice, 1)]


def mutant(seed, index, corpus):
    rng = random.Random(f"{seed}:{index}")
    name, tag, text = rng.choice(corpus)
    applied = []
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 4])):
        fn = rng.choices([m for m, _ in MUTATIONS], [w for _, w in MUTATIONS])[0]
        text = fn(rng, text, corpus)
        applied.append(fn.__name__[2:])
    matching = [t for t in TARGETS if tag in t.rungs]
    target = rng.choice(matching if matching and rng.random() < 0.6 else TARGETS)
    return name, applied, text, target

# ---------------------------------------------------------------------------
# Running and judging.


def execute(command, timeout):
    """(status, output, cpu seconds) of one run. The limit is on CPU time,
    which a loaded machine does not stretch: a run that used more than
    `timeout` seconds of it is slow (status None). A run still going after
    WALL_FACTOR times that in wall-clock time is stopped (status None too):
    it waits for something, or the machine is thrashing."""
    with tempfile.TemporaryFile() as out:
        cpu_limit = math.ceil(timeout) + 1  # SIGXCPU ends a busy run soon after
        child = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_CPU,
                                                  (cpu_limit, cpu_limit + 1)))
        stopped = []

        def stop():
            stopped.append(True)
            child.kill()

        killer = threading.Timer(WALL_FACTOR * timeout, stop)
        killer.start()
        try:
            _, wait_status, usage = os.wait4(child.pid, 0)
        finally:
            killer.cancel()
        child.returncode = os.waitstatus_to_exitcode(wait_status)
        cpu = usage.ru_utime + usage.ru_stime
        status = None if stopped or cpu > timeout else child.returncode
        out.seek(0)
        text = out.read()[-65536:].decode("utf-8", "replace")
    return status, text, cpu


def judge(status, output):
    if status is None:
        return "timeout"
    if status < 0 or status >= 128:
        return "crash"
    # A crash the tool caught is reported in one line, which may quote an
    # LLVM ERROR; any other line with a crash marker is a crash of its own.
    lines = [line for line in output.split("\n") if RECOVERED_MARKER not in line]
    if any(m in line for line in lines for m in CRASH_MARKERS):
        return "crash"
    if RECOVERED_MARKER in output:
        return "recovered"
    if status == 0:
        return "ok"
    if re.search(r"\berror\b|^FAIL ", output, re.M):
        return "refused"
    return "silent"


def signature(kind, status, output):
    if kind == "timeout":
        return "timeout"
    for line in output.split("\n"):
        if any(m in line for m in CRASH_MARKERS + (RECOVERED_MARKER,)) or \
                (kind == "silent" and line.strip()):
            line = re.sub(r"'[^']*'", "'…'", line)
            return re.sub(r"\d+", "#", line.strip())[:160]
    return f"status {status}"


def read_known():
    """(kind, target pattern, signature part, reason) of test/fuzz/known-findings.txt."""
    known = []
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "known-findings.txt")) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                fields, _, reason = line.partition("#")
                kind, target, *part = fields.split(None, 2)
                known.append((kind, target, part[0].strip() if part else "", reason.strip()))
    return known


KNOWN = read_known()


def is_known(kind, target, sig):
    return any(kind == k and fnmatch.fnmatch(target, t) and part in sig
               for k, t, part, _ in KNOWN)


class Fuzzer:
    def __init__(self, args, tools, corpus):
        self.args, self.tools, self.corpus = args, tools, corpus
        self.lock = threading.Lock()
        self.counts = {}
        self.by_target = {}
        self.findings = {}
        self.work = tempfile.mkdtemp(prefix="work-", dir=args.out)

    def parser_reproduces(self, text, path):
        """Whether plain `attn-opt` (parse, print) crashes on the text too;
        NUL bytes, which the tools refuse and the JIT does not, as spaces."""
        if "\0" in text:
            path += ".nul"
            with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
                f.write(text.replace("\0", " "))
        status, output, _ = execute([self.tools["OPT"], path, "-o", "/dev/null"],
                                    self.args.timeout)
        if path.endswith(".nul"):
            os.unlink(path)
        return judge(status, output) in ("recovered", "crash")

    def one(self, index):
        name, applied, text, target = mutant(self.args.seed, index, self.corpus)
        path = os.path.join(self.work, f"m{index}.mlir")
        with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(text)
        command = target.command(self.tools, path)
        status, output, cpu = execute(command, self.args.timeout)
        kind = judge(status, output)
        if kind == "timeout":  # Once more: was it the machine?
            status, output, cpu = execute(command, self.args.timeout)
            kind = judge(status, output)
            if kind == "timeout":
                output += f"\n[fuzz.py: {cpu:.1f} s of CPU time]"
        in_parser = kind in FATAL_KINDS and self.parser_reproduces(text, path)
        if kind == "recovered" and in_parser:
            kind = "parser"
        if kind in FATAL_KINDS + ("silent",):
            sig = ("[parser] " if in_parser else "") + signature(kind, status, output)
            if is_known(kind, target.name, sig):
                kind = "known"
            self.save(kind, index, name, applied, text, target, command, status,
                      output, sig)
        os.unlink(path)
        with self.lock:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            per = self.by_target.setdefault(target.name, {})
            per[kind] = per.get(kind, 0) + 1

    def save(self, kind, index, name, applied, text, target, command, status, output,
             sig):
        key = (kind, target.name, sig)
        with self.lock:
            if key in self.findings:
                self.findings[key]["count"] += 1
                return
            digest = hashlib.sha1(repr(key).encode()).hexdigest()[:10]
            folder = os.path.join(self.args.out, "findings", kind, f"{target.name}-{digest}")
            self.findings[key] = {"kind": kind, "target": target.name, "signature": sig,
                                  "count": 1, "folder": folder, "mutant": index,
                                  "seed_input": name, "mutations": applied}
        os.makedirs(folder, exist_ok=True)
        input_path = os.path.join(folder, "input.mlir")
        with open(input_path, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(text)
        shown = [input_path if a == command[1] else a for a in command]
        with open(os.path.join(folder, "command.sh"), "w") as f:
            f.write(f"# {kind}: mutant {index} of seed {self.args.seed} "
                    f"({name}; {', '.join(applied)})\n{shlex.join(shown)}\n")
        with open(os.path.join(folder, "output.txt"), "w") as f:
            f.write(f"status: {status}\n{output}")

    def run(self):
        start = time.time()
        deadline = start + self.args.max_seconds if self.args.max_seconds else None
        done = 0
        last = start
        indices = iter(range(self.args.first, self.args.first + self.args.count))
        with concurrent.futures.ThreadPoolExecutor(self.args.jobs) as pool:
            pending = set()
            for index in indices:
                if deadline and time.time() > deadline:
                    break
                pending.add(pool.submit(self.one, index))
                if len(pending) >= 4 * self.args.jobs:
                    finished, pending = concurrent.futures.wait(
                        pending, return_when=concurrent.futures.FIRST_COMPLETED)
                    for f in finished:
                        f.result()
                    done += len(finished)
                if time.time() - last > self.args.progress:
                    last = time.time()
                    self.report_progress(done, start)
            for f in concurrent.futures.as_completed(pending):
                f.result()
                done += 1
        os.rmdir(self.work)
        return done, time.time() - start

    def report_progress(self, done, start):
        rate = done / max(time.time() - start, 1e-9)
        print(f"fuzz: {done} mutants, {rate:.1f}/s, {self.counts}", flush=True)


def set_root(path):
    global ROOT
    ROOT = os.path.abspath(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"),
                        help="build directory holding bin/attn-opt etc. (default: build/)")
    parser.add_argument("--out", required=True, help="where findings and the summary go")
    parser.add_argument("--root", default=ROOT,
                        help="the repository whose inputs seed the corpus (default: this one)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--first", type=int, default=0, help="index of the first mutant")
    parser.add_argument("--count", type=int, default=1000, help="number of mutants")
    parser.add_argument("--jobs", type=int, default=1, help="runs at the same time")
    parser.add_argument("--timeout", type=float, default=10, help="seconds per run")
    parser.add_argument("--max-seconds", type=float, default=0,
                        help="stop starting mutants after this long (0: no limit)")
    parser.add_argument("--progress", type=float, default=60,
                        help="seconds between progress lines")
    args = parser.parse_args()
    set_root(args.root)
    bins = os.path.join(os.path.abspath(args.build), "bin")
    tools = {"OPT": os.path.join(bins, "attn-opt"), "COMPILE": os.path.join(bins, "attn-compile"),
             "CPU": os.path.join(bins, "attn-cpu-run"),
             "JIT": os.path.join(bins, "attn-jit-compile-file")}
    for tool in tools.values():
        if not os.access(tool, os.X_OK):
            parser.error(f"no executable {tool}: build first (ninja -C {args.build})")
    os.makedirs(args.out, exist_ok=True)
    shutil.rmtree(os.path.join(args.out, "findings"), ignore_errors=True)
    os.environ.update(ATTN_DISABLE_CACHE="1", ATTN_LIBCUDA="/nonexistent/libcuda.so.1")

    corpus = repo_seeds() + rung_seeds(tools, os.path.join(args.out, "seeds"))
    print(f"fuzz: {len(corpus)} seed inputs, {len(TARGETS)} targets, seed {args.seed}, "
          f"mutants {args.first}..{args.first + args.count - 1}, {args.jobs} job(s), "
          f"timeout {args.timeout:g} s", flush=True)
    fuzzer = Fuzzer(args, tools, corpus)
    done, seconds = fuzzer.run()

    findings = sorted(fuzzer.findings.values(), key=lambda f: (f["kind"], f["target"]))
    summary = {"seed": args.seed, "first": args.first, "mutants": done,
               "seconds": round(seconds, 1), "counts": fuzzer.counts,
               "by_target": fuzzer.by_target, "findings": findings}
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(f"fuzz: {done} mutants in {seconds:.0f} s: " +
          ", ".join(f"{k} {v}" for k, v in sorted(fuzzer.counts.items())))
    for f in findings:
        print(f"  {f['kind']:9} {f['target']:18} x{f['count']:<5} {f['signature']}\n"
              f"            {f['folder']}")
    fatal = sum(fuzzer.counts.get(k, 0) for k in FATAL_KINDS)
    print(f"fuzz: {fatal} crash(es), recovered crash(es) and time-out(s)")
    return 1 if fatal else 0


if __name__ == "__main__":
    sys.exit(main())

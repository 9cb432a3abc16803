//===- ManifestTest.cpp - The manifest: writer, parser, errors ------------===//
//
// The problem description, the version-2 text (written and read back), and
// one test per rule the parser enforces: every message names the line and
// the rule.
//
//===----------------------------------------------------------------------===//

#include "runtime/Manifest.h"

#include "ManifestExamples.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace attn::rt;
using namespace attn::test;

namespace {

//===----------------------------------------------------------------------===//
// Problem
//===----------------------------------------------------------------------===//

TEST(Problem, ShapesStridesAndSizesByRole) {
  Problem p = Problem::attention(2, 8, 128, 64, DType::BF16);
  p.kvHeads = 2;
  p.seqLenK = 256;
  p.lse = true;
  EXPECT_EQ(p.shape(TensorRole::Q), (std::vector<int64_t>{2, 8, 128, 64}));
  EXPECT_EQ(p.shape(TensorRole::K), (std::vector<int64_t>{2, 2, 256, 64}));
  EXPECT_EQ(p.shape(TensorRole::V), (std::vector<int64_t>{2, 2, 256, 64}));
  EXPECT_EQ(p.shape(TensorRole::O), (std::vector<int64_t>{2, 8, 128, 64}));
  EXPECT_EQ(p.shape(TensorRole::Lse), (std::vector<int64_t>{2, 8, 128}));
  EXPECT_EQ(p.shape(TensorRole::DK), (std::vector<int64_t>{2, 2, 256, 64}));
  EXPECT_EQ(p.packedStrides(TensorRole::K),
            (std::vector<int64_t>{32768, 16384, 64, 1}));
  EXPECT_EQ(p.packedStrides(TensorRole::Lse),
            (std::vector<int64_t>{1024, 128, 1}));
  EXPECT_EQ(p.dtypeOf(TensorRole::Q), DType::BF16);
  EXPECT_EQ(p.dtypeOf(TensorRole::Lse), DType::F32);
  EXPECT_EQ(p.elements(TensorRole::K), 2 * 2 * 256 * 64);
  EXPECT_EQ(p.bytes(TensorRole::K), 2u * 2 * 256 * 64 * 2);
  EXPECT_EQ(p.bytes(TensorRole::Lse), 2u * 8 * 128 * 4);
  EXPECT_EQ(p.scoreElements(), 2 * 8 * 128 * 256);
  EXPECT_EQ(std::string(Problem::dimNames(TensorRole::V)), "B,Hkv,Nk,D");
  EXPECT_EQ(p.field(ProblemField::Hkv), 2);
  EXPECT_EQ(p.field(ProblemField::Nk), 256);
}

TEST(Problem, RolesFollowTheDirection) {
  using R = TensorRole;
  Problem p = Problem::attention(1, 1, 8, 16, DType::F16);
  EXPECT_EQ(p.roles(), (std::vector<R>{R::Q, R::K, R::V, R::O}));
  EXPECT_FALSE(p.hasRole(R::Lse));
  p.lse = true;
  EXPECT_EQ(p.roles(), (std::vector<R>{R::Q, R::K, R::V, R::O, R::Lse}));
  EXPECT_TRUE(p.isOutput(R::O));
  EXPECT_TRUE(p.isOutput(R::Lse));
  EXPECT_FALSE(p.isOutput(R::Q));
  p.direction = Direction::Backward;
  EXPECT_EQ(p.roles(), (std::vector<R>{R::DO, R::Q, R::K, R::V, R::O, R::Lse,
                                       R::DQ, R::DK, R::DV}));
  EXPECT_FALSE(p.isOutput(R::O));
  EXPECT_FALSE(p.isOutput(R::Lse));
  EXPECT_TRUE(p.isOutput(R::DK));
}

TEST(Problem, Flops) {
  Problem p = Problem::attention(2, 4, 128, 64, DType::F16);
  EXPECT_DOUBLE_EQ(p.flops(), 4.0 * 2 * 4 * 128 * 128 * 64);
  p.seqLenK = 256;
  EXPECT_DOUBLE_EQ(p.flops(), 4.0 * 2 * 4 * 128 * 256 * 64);
  // Causal halves it (the convention, not the exact count of visited pairs).
  p.causal = true;
  EXPECT_DOUBLE_EQ(p.flops(), 2.0 * 2 * 4 * 128 * 256 * 64);
  // The backward is 2.5 times the forward.
  p.direction = Direction::Backward;
  p.lse = true;
  EXPECT_DOUBLE_EQ(p.forwardFlops(), 2.0 * 2 * 4 * 128 * 256 * 64);
  EXPECT_DOUBLE_EQ(p.flops(), 2.5 * 2.0 * 2 * 4 * 128 * 256 * 64);
}

// A sliding window counts the (row, key) pairs it lets through: the closed
// form against a count row by row, over windows that cross either end of
// the keys, with and without causal, Nq above, equal to and below Nk.
TEST(Problem, WindowFlopsCountTheVisitedPairs) {
  for (auto [nq, nk] : {std::pair<int64_t, int64_t>{100, 100},
                        {37, 300},
                        {300, 37},
                        {1, 1000},
                        {129, 1}})
    for (auto [left, right] : {std::pair<int64_t, int64_t>{0, 0},
                               {5, -1},
                               {-1, 7},
                               {16, 3},
                               {1000, 1000},
                               {250, 0}})
      for (bool causal : {false, true}) {
        Problem p = Problem::attention(2, 3, nq, 16, DType::F16);
        p.seqLenK = nk;
        p.causal = causal;
        p.windowLeft = left;
        p.windowRight = right;
        double pairs = 0;
        for (int64_t row = 0; row < nq; ++row) {
          KeyRange range = visibleKeyRange(p, row);
          ASSERT_LE(range.first, range.end);
          int64_t seen = 0;
          for (int64_t key = 0; key < nk; ++key) {
            int64_t diagonal = row + nk - nq;
            bool visible = (!causal || key <= diagonal) &&
                           (left < 0 || key >= diagonal - left) &&
                           (right < 0 || key <= diagonal + right);
            seen += visible;
            EXPECT_EQ(visible, key >= range.first && key < range.end)
                << p.describe() << " row " << row << " key " << key;
          }
          pairs += double(seen);
        }
        EXPECT_DOUBLE_EQ(p.forwardFlops(), 4.0 * 2 * 3 * 16 * pairs)
            << p.describe();
      }
}

TEST(Problem, ScaleDefaultsToInverseSquareRootOfD) {
  Problem p = Problem::attention(1, 1, 8, 64, DType::F16);
  EXPECT_DOUBLE_EQ(p.effectiveScale(), 0.125);
  p.scale = 0.5;
  EXPECT_DOUBLE_EQ(p.effectiveScale(), 0.5);
}

TEST(Problem, ValidateNamesTheFieldAndTheRule) {
  auto errorOf = [](const Problem &p) {
    Status status = p.validate();
    return status.ok() ? std::string("ok") : status.message();
  };
  Problem good = Problem::attention(2, 8, 128, 64, DType::F16);
  EXPECT_EQ(errorOf(good), "ok");
  Problem p = good;
  p.seqLenK = 0;
  EXPECT_EQ(errorOf(p), "Nk is 0; it must be at least 1");
  p = good;
  p.kvHeads = 3;
  EXPECT_EQ(errorOf(p), "H = 8 is not a multiple of Hkv = 3; each K/V head "
                        "serves a whole group of query heads");
  p = good;
  p.batch = int64_t(1) << 30;
  p.seqLenQ = int64_t(1) << 20;
  EXPECT_EQ(errorOf(p), "B*H*Nq*D is more than the 1099511627776 elements a "
                        "tensor may hold");
  p = good;
  p.scale = -1.0;
  EXPECT_EQ(errorOf(p), "scale is -1.000000; it must be positive and finite");
  p = good;
  p.direction = Direction::Backward;
  EXPECT_EQ(errorOf(p), "a backward problem reads the forward's logsumexp: "
                        "it needs lse");
}

TEST(Problem, DescribeKeepsTheShortFormForSelfAttention) {
  Problem p = Problem::attention(2, 3, 257, 64, DType::F16);
  p.pipeline = PipelineKind::Unfused;
  p.causal = true;
  EXPECT_EQ(p.describe(), "unfused f16 B=2 H=3 N=257 D=64 causal=1");
  p.kvHeads = 1;
  p.seqLenK = 300;
  p.direction = Direction::Backward;
  EXPECT_EQ(p.describe(),
            "backward unfused f16 B=2 H=3 Hkv=1 Nq=257 Nk=300 D=64 causal=1");
  p.windowLeft = 128;
  EXPECT_EQ(p.describe(), "backward unfused f16 B=2 H=3 Hkv=1 Nq=257 Nk=300 "
                          "D=64 causal=1 window=128,-1");
}

//===----------------------------------------------------------------------===//
// Writer and parser
//===----------------------------------------------------------------------===//

Manifest roundTrip(const Manifest &manifest) {
  Expected<Manifest> parsed = parseManifest(writeManifest(manifest), "rt.ptx");
  EXPECT_TRUE(parsed.ok()) << parsed.status().message() << "\nin:\n"
                           << writeManifest(manifest);
  return parsed.ok() ? parsed.take() : Manifest();
}

TEST(Manifest, WritesTheDocumentedText) {
  EXPECT_EQ(
      writeManifest(unfusedExample()),
      "// attn.version 2\n"
      "// attn.problem direction=forward pipeline=unfused B=2 H=4 Hkv=4 "
      "Nq=128 Nk=128 D=64 dtype=bf16 causal=1 scale=0.125 lse=0\n"
      "// attn.tensor q role=q dtype=bf16 shape=2,4,128,64 "
      "strides=32768,8192,64,1 align=16\n"
      "// attn.tensor k role=k dtype=bf16 shape=2,4,128,64 "
      "strides=32768,8192,64,1 align=16\n"
      "// attn.tensor v role=v dtype=bf16 shape=2,4,128,64 "
      "strides=32768,8192,64,1 align=16\n"
      "// attn.tensor o role=o dtype=bf16 shape=2,4,128,64 "
      "strides=32768,8192,64,1 align=16\n"
      "// attn.workspace s dtype=bf16 elements=131072\n"
      "// attn.workspace p dtype=bf16 elements=131072\n"
      "// attn.kernel attn_qk grid=2,8,8 block=128,1,1 smem=36864 "
      "args=q,k,s\n"
      "// attn.kernel attn_softmax grid=2,8,1 block=128,1,1 smem=0 args=s,p\n"
      "// attn.kernel attn_pv grid=2,8,1 block=128,1,1 smem=40960 "
      "args=p,v,o\n"
      "// attn.cost kernel=attn_qk flops=16777216 bytes=196608 "
      "predicted_ms=5.9e-05\n");
  std::string maps = writeManifest(tensorMapExample());
  EXPECT_NE(maps.find("// attn.tensormap k_tma tensor=k dtype=bf16 rank=3 "
                      "dims=64,256,2 strides=128,32768 box=64,64,1 "
                      "element_strides=1,1,1 interleave=none swizzle=128 "
                      "l2_promotion=128 oob_fill=zero\n"),
            std::string::npos)
      << maps;
  EXPECT_NE(maps.find("// attn.scalar seq_k type=i32 from=Nk\n"
                      "// attn.scalar heads type=i64 from=H\n"
                      "// attn.scalar log2e_scale type=f32 "
                      "value=0.18033688011112042\n"
                      "// attn.scalar window type=i32 value=-1\n"),
            std::string::npos)
      << maps;
}

TEST(Manifest, RoundTripsUnfused) {
  Manifest m = unfusedExample();
  Manifest parsed = roundTrip(m);
  EXPECT_EQ(parsed, m);
  EXPECT_EQ(writeManifest(parsed), writeManifest(m));
  // What the parser adds: line numbers.
  EXPECT_EQ(parsed.tensors[0].line, 3);
  EXPECT_EQ(parsed.workspaces[1].line, 8);
  EXPECT_EQ(parsed.kernels[2].line, 11);
}

TEST(Manifest, RoundTripsFused) {
  Manifest m = fusedExample();
  EXPECT_EQ(roundTrip(m), m);
}

TEST(Manifest, RoundTripsASlidingWindow) {
  Manifest m = fusedExample();
  m.problem.windowLeft = 256;
  m.problem.windowRight = 0;
  std::string text = writeManifest(m);
  EXPECT_NE(text.find(" lse=1 window=256,0\n"), std::string::npos) << text;
  EXPECT_EQ(roundTrip(m), m);
  // No window: no key (manifests from before windows read the same).
  EXPECT_EQ(writeManifest(fusedExample()).find("window="), std::string::npos);
  Problem other = m.problem;
  other.windowRight = -1;
  EXPECT_NE(other, m.problem);
}

TEST(Manifest, RoundTripsPackedSequences) {
  Manifest m = fusedExample();
  m.problem.sequences = 3;
  m.problem.lse = false;
  m.tensors = packedTensors(m.problem);
  m.kernels[0].args = {"q", "k", "v", "cu_q", "cu_k", "o"};
  std::string text = writeManifest(m);
  EXPECT_NE(text.find(" lse=0 S=3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("// attn.tensor cu_q role=cu_q dtype=i32 shape=4 "
                      "strides=1"),
            std::string::npos)
      << text;
  EXPECT_EQ(roundTrip(m), m);
  EXPECT_EQ(m.problem.dtypeOf(TensorRole::CuK), DType::I32);
  // Without S: no offset tensors, no key.
  EXPECT_EQ(writeManifest(fusedExample()).find(" S="), std::string::npos);
  // The offsets are declared like every role the problem has.
  Manifest missing = m;
  missing.tensors.erase(missing.tensors.begin() + 3);
  EXPECT_FALSE(parseManifest(writeManifest(missing), "missing").ok());
  // S is a number (packed sequences compile for sizes known then).
  std::string unknown = text;
  unknown.replace(unknown.find(" S=3"), 4, " S=?");
  EXPECT_FALSE(parseManifest(unknown, "unknown").ok());
  // Packed sequences are a forward of B = 1.
  Problem p = m.problem;
  p.batch = 2;
  EXPECT_NE(p.validate().message().find("packed sequences (S) need a "
                                        "forward problem of B = 1"),
            std::string::npos);
}

TEST(Manifest, RoundTripsTensorMapsAndScalars) {
  Manifest m = tensorMapExample();
  Manifest parsed = roundTrip(m);
  EXPECT_EQ(parsed, m);
  ASSERT_EQ(parsed.tensorMaps.size(), 2u);
  EXPECT_EQ(parsed.tensorMaps[1].l2Promotion, L2Promotion::B256);
  ASSERT_EQ(parsed.scalars.size(), 4u);
  EXPECT_EQ(parsed.scalars[2].floatValue, 0.18033688011112042);
  EXPECT_EQ(parsed.scalars[3].intValue, -1);
  // Equality sees every field.
  Manifest other = m;
  other.tensorMaps[0].box[1] = 128;
  EXPECT_FALSE(parsed == other);
}

TEST(Manifest, EqualityIgnoresAnUnsetScaleThatMeansTheSame) {
  Manifest m = fusedExample();
  ASSERT_FALSE(m.problem.scale);
  Manifest parsed = roundTrip(m);
  ASSERT_TRUE(parsed.problem.scale);
  EXPECT_DOUBLE_EQ(*parsed.problem.scale, 1 / std::sqrt(128.0));
  EXPECT_EQ(parsed, m);
}

TEST(Manifest, Lookups) {
  Manifest m = roundTrip(tensorMapExample());
  EXPECT_EQ(m.find("k_tma")->kind, ArgKind::TensorMap);
  EXPECT_EQ(m.find("window")->kind, ArgKind::Scalar);
  EXPECT_EQ(m.find("window")->index, 3u);
  EXPECT_EQ(m.find("o")->kind, ArgKind::Tensor);
  EXPECT_FALSE(m.find("s"));
  EXPECT_EQ(m.tensorFor(TensorRole::V)->name, "v");
  EXPECT_EQ(m.tensorFor(TensorRole::Lse), nullptr);
  EXPECT_EQ(m.tensorMaps[0].spanBytes(), 2u + 63 * 2 + 255 * 128 + 1 * 32768);
  Manifest u = roundTrip(unfusedExample());
  EXPECT_EQ(u.workspaceBytes(), 2u * 131072 * 2);
  EXPECT_FALSE(u.hasCosts());
  EXPECT_DOUBLE_EQ(u.costBytes(), 196608);
  EXPECT_TRUE(roundTrip(fusedExample()).hasCosts());
}

TEST(Manifest, OtherCommentsAndWindowsLineEndsAreFine) {
  std::string text = writeManifest(fusedExample());
  std::string windows;
  for (char c : text)
    windows += c == '\n' ? std::string("\r\n") : std::string(1, c);
  windows = "// Generated by the attn compiler\r\n//\r\n" + windows +
            "\t\n.version 8.0\n// attn.kernel after the body: not read\n";
  // A directive after the body is an error; plain comments after it are not.
  EXPECT_FALSE(parseManifest(windows, "w.ptx").ok());
  windows = windows.substr(0, windows.rfind("// attn.kernel after"));
  Expected<Manifest> parsed = parseManifest(windows + "// a comment\n", "w");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(*parsed, fusedExample());
}

//===----------------------------------------------------------------------===//
// Errors: each names the line and the rule
//===----------------------------------------------------------------------===//

std::string errorOf(const std::string &text) {
  Expected<Manifest> manifest = parseManifest(text, "x.ptx");
  if (manifest.ok())
    return "(parsed)";
  EXPECT_EQ(manifest.status().code(), StatusCode::ParseError);
  return manifest.status().message();
}

/// The lines of `manifest`'s text.
std::vector<std::string> linesOf(const Manifest &manifest) {
  std::vector<std::string> lines;
  std::string text = writeManifest(manifest);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start + 1));
    start = end + 1;
  }
  return lines;
}

std::string join(const std::vector<std::string> &lines) {
  std::string text;
  for (const std::string &line : lines)
    text += line;
  return text;
}

/// The fused example's text with line `index` (1-based) replaced by
/// `replacement` (nothing when empty).
std::string fusedWith(int index, const std::string &replacement) {
  std::vector<std::string> lines = linesOf(fusedExample());
  lines[size_t(index - 1)] = replacement.empty() ? "" : replacement + "\n";
  return join(lines);
}

/// The fused example's text with `extra` put in as line `index`.
std::string fusedPlus(int index, const std::string &extra) {
  std::vector<std::string> lines = linesOf(fusedExample());
  lines.insert(lines.begin() + (index - 1), extra + "\n");
  return join(lines);
}

// The fused example, line by line:
//   1 attn.version  2 attn.problem  3..7 attn.tensor q k v o lse
//   8 attn.kernel attn_fwd  9 attn.cost
const std::string kProblemLine =
    "// attn.problem direction=forward pipeline=fused B=1 H=2 Hkv=2 Nq=64 "
    "Nk=64 D=128 dtype=f16 causal=0 scale=0.25 lse=1";

TEST(ManifestErrors, TheExampleParses) {
  EXPECT_EQ(errorOf(join(linesOf(fusedExample()))), "(parsed)");
  EXPECT_EQ(errorOf(fusedWith(2, kProblemLine)), "(parsed)");
}

TEST(ManifestErrors, MissingLines) {
  EXPECT_EQ(errorOf(fusedWith(1, "")),
            "x.ptx:1: attn.problem before 'attn.version'; the version comes "
            "first");
  EXPECT_EQ(errorOf(""), "x.ptx: missing 'attn.version' line; is this a PTX "
                         "file written by the attn compiler?");
  EXPECT_EQ(errorOf(fusedWith(2, "")), "x.ptx: missing 'attn.problem' line");
  EXPECT_EQ(errorOf(fusedWith(8, "")),
            "x.ptx:8: attn.cost names kernel 'attn_fwd', which no attn.kernel "
            "line above declares");
  EXPECT_EQ(errorOf(fusedWith(9, "").substr(
                0, fusedWith(9, "").find("// attn.kernel"))),
            "x.ptx: no 'attn.kernel' line; there is nothing to launch");
}

TEST(ManifestErrors, Version) {
  EXPECT_EQ(errorOf(fusedWith(1, "// attn.version 1")),
            "x.ptx:1: unsupported manifest version 1; this runtime reads 2 "
            "(compile the PTX again with this attn)");
  EXPECT_EQ(errorOf(fusedWith(1, "// attn.version two")),
            "x.ptx:1: expected 'attn.version <integer>'");
  EXPECT_EQ(errorOf(fusedPlus(2, "// attn.version 2")),
            "x.ptx:2: second 'attn.version' line; the first is on line 1");
}

TEST(ManifestErrors, UnknownDirectiveAndBodyOrder) {
  EXPECT_EQ(errorOf(fusedPlus(3, "// attn.buffer s f16 4")),
            "x.ptx:3: unknown manifest directive 'attn.buffer'; expected "
            "attn.version, attn.problem, attn.tensor, attn.workspace, "
            "attn.tensormap, attn.scalar, attn.kernel or attn.cost");
  EXPECT_EQ(errorOf(fusedPlus(8, ".version 8.0")),
            "x.ptx:9: manifest line after the PTX body began at line 8; "
            "manifest lines must come before the first line that is not a "
            "comment");
}

TEST(ManifestErrors, Fields) {
  EXPECT_EQ(errorOf(fusedWith(2, kProblemLine + " B=3")),
            "x.ptx:2: attn.problem key 'B' given twice");
  EXPECT_EQ(errorOf(fusedWith(2, kProblemLine + " slide=4")),
            "x.ptx:2: unknown attn.problem key 'slide'; expected direction, "
            "pipeline, B, H, Hkv, Nq, Nk, D, dtype, causal, scale, lse, "
            "window, S");
  EXPECT_EQ(errorOf(fusedWith(2, kProblemLine + " 4")),
            "x.ptx:2: expected key=value in attn.problem, got '4'; expected "
            "'attn.problem direction=<forward|backward> "
            "pipeline=<fused|unfused> B=<n> H=<n> Hkv=<n> Nq=<n> Nk=<n> "
            "D=<n> dtype=<f16|bf16|f32> causal=<0|1> scale=<x> lse=<0|1> "
            "[window=<left>,<right>] [S=<packed sequences>]'");
  std::string noHkv = kProblemLine;
  noHkv.erase(noHkv.find(" Hkv=2"), 6);
  EXPECT_EQ(errorOf(fusedWith(2, noHkv)).substr(0, 40),
            "x.ptx:2: attn.problem lacks 'Hkv='; expe");
  EXPECT_EQ(errorOf(fusedWith(3, "// attn.tensor role=q dtype=f16 "
                                 "shape=1,2,64,128 strides=16384,8192,128,1 "
                                 "align=16")),
            "x.ptx:3: attn.tensor needs a name first; expected 'attn.tensor "
            "<name> role=<role> dtype=<dtype> shape=<n,...> strides=<n,...> "
            "align=<bytes>'");
  EXPECT_EQ(errorOf(fusedWith(3, "// attn.tensor 9q role=q dtype=f16 "
                                 "shape=1,2,64,128 strides=16384,8192,128,1 "
                                 "align=16")),
            "x.ptx:3: name '9q' of attn.tensor is not an identifier "
            "(letters, digits, _ and $, not starting with a digit)");
}

TEST(ManifestErrors, Problem) {
  auto problem = [](const std::string &from, const std::string &to) {
    std::string line = kProblemLine;
    line.replace(line.find(from), from.size(), to);
    return errorOf(fusedWith(2, line));
  };
  EXPECT_EQ(problem("direction=forward", "direction=sideways"),
            "x.ptx:2: unknown direction 'sideways'; expected forward or "
            "backward");
  EXPECT_EQ(problem("pipeline=fused", "pipeline=test"),
            "x.ptx:2: unknown pipeline 'test'; expected fused or unfused");
  EXPECT_EQ(problem("B=1", "B=0"), "x.ptx:2: B must be positive, got 0");
  EXPECT_EQ(problem("B=1", "B=1x"), "x.ptx:2: B '1x' is not an integer");
  EXPECT_EQ(problem("Nq=64", "Nq=2199023255552"),
            "x.ptx:2: Nq 2199023255552 is larger than 1099511627776");
  EXPECT_EQ(problem("B=1", "B=1099511627776"),
            "x.ptx:2: attn.problem: B*H*Nq*D is more than the 1099511627776 "
            "elements a tensor may hold");
  EXPECT_EQ(problem("Hkv=2", "Hkv=3"),
            "x.ptx:2: attn.problem: H = 2 is not a multiple of Hkv = 3; each "
            "K/V head serves a whole group of query heads");
  EXPECT_EQ(problem("dtype=f16", "dtype=fp8"),
            "x.ptx:2: unknown dtype 'fp8'; expected f16, bf16 or f32");
  EXPECT_EQ(problem("causal=0", "causal=2"),
            "x.ptx:2: causal must be 0 or 1, got '2'");
  EXPECT_EQ(problem("scale=0.25", "scale=inf"),
            "x.ptx:2: scale 'inf' is not a finite number");
  EXPECT_EQ(problem("scale=0.25", "scale=-1"),
            "x.ptx:2: attn.problem: scale is -1.000000; it must be positive "
            "and finite");
  EXPECT_EQ(problem("direction=forward", "direction=backward"),
            "x.ptx:2: no attn.tensor has role do; the problem needs one tensor "
            "for each of do, q, k, v, o, lse, dq, dk, dv");
  EXPECT_EQ(problem("lse=1", "lse=0").substr(0, 46),
            "x.ptx:7: tensor 'lse' has role lse, which this");
  EXPECT_EQ(problem("lse=1", "lse=1 window=5"),
            "x.ptx:2: window '5' has 1 entries; expected 2");
  EXPECT_EQ(problem("lse=1", "lse=1 window=5,-2"),
            "x.ptx:2: window '5,-2' has -2; each must be in [0, "
            "1099511627776]");
  EXPECT_EQ(problem("lse=1", "lse=1 window=a,1"),
            "x.ptx:2: window 'a,1' is not a list of integers a,b,...");
  EXPECT_EQ(errorOf(fusedPlus(3, kProblemLine)),
            "x.ptx:3: second 'attn.problem' line; the first is on line 2");
}

TEST(ManifestErrors, Tensors) {
  auto tensor = [](const std::string &fields) {
    return errorOf(fusedWith(3, "// attn.tensor q " + fields));
  };
  const std::string rest = " strides=16384,8192,128,1 align=16";
  EXPECT_EQ(tensor("role=q dtype=f16 shape=1,2,64,128" + rest), "(parsed)");
  EXPECT_EQ(tensor("role=x dtype=f16 shape=1,2,64,128" + rest),
            "x.ptx:3: unknown role 'x' of tensor 'q'; expected q, k, v, o, "
            "lse, do, dq, dk, dv, cu_q or cu_k");
  EXPECT_EQ(tensor("role=dq dtype=f16 shape=1,2,64,128" + rest),
            "x.ptx:3: tensor 'q' has role dq, which this forward problem with "
            "lse=1 does not have; its roles are q, k, v, o, lse");
  EXPECT_EQ(tensor("role=k dtype=f16 shape=1,2,64,128" + rest),
            "x.ptx:4: tensor 'k' has role k, which tensor 'q' on line 3 has "
            "already; each role has one tensor");
  EXPECT_EQ(tensor("role=q dtype=bf16 shape=1,2,64,128" + rest),
            "x.ptx:3: tensor 'q' is bf16 but the problem's q is f16");
  EXPECT_EQ(tensor("role=q dtype=f64 shape=1,2,64,128" + rest),
            "x.ptx:3: unknown dtype 'f64' of tensor 'q'; expected f16, bf16 "
            "or f32");
  EXPECT_EQ(tensor("role=q dtype=f16 shape=1,2,32,128" + rest),
            "x.ptx:3: tensor 'q' has shape [1,2,32,128] but the problem's q "
            "is [B,H,Nq,D] = [1,2,64,128]");
  EXPECT_EQ(tensor("role=q dtype=f16 shape=1,2,0,128" + rest),
            "x.ptx:3: shape of tensor 'q' '1,2,0,128' has 0; each must be in "
            "[1, 1099511627776]");
  EXPECT_EQ(tensor("role=q dtype=f16 shape=1,2,64,128 strides=8192,128,1 "
                   "align=16"),
            "x.ptx:3: strides of tensor 'q' '8192,128,1' has 3 entries; "
            "expected 4");
  EXPECT_EQ(tensor("role=q dtype=f16 shape=1,2,64,x" + rest),
            "x.ptx:3: shape of tensor 'q' '1,2,64,x' is not a list of "
            "integers a,b,... (or ? for one known at launch)");
  EXPECT_EQ(tensor("role=q dtype=f16 shape=1,2,64,128 "
                   "strides=16384,8192,1099511627776,1 align=16"),
            "x.ptx:3: tensor 'q' spans more than 1099511627776 elements");
  EXPECT_EQ(tensor("role=q dtype=f16 shape=1,2,64,128 "
                   "strides=16384,8192,128,1 align=24"),
            "x.ptx:3: align '24' of tensor 'q' is not a power of two from 1 "
            "to 4096");
  // A role of the problem without its tensor.
  EXPECT_EQ(errorOf(fusedWith(5, "// attn.tensor v2 role=q dtype=f16 "
                                 "shape=1,2,64,128 strides=16384,8192,128,1 "
                                 "align=16")),
            "x.ptx:5: tensor 'v2' has role q, which tensor 'q' on line 3 has "
            "already; each role has one tensor");
  EXPECT_EQ(errorOf(fusedWith(5, "")),
            "x.ptx:2: no attn.tensor has role v; the problem needs one tensor "
            "for each of q, k, v, o, lse");
}

TEST(ManifestErrors, MissingRoleAndUnwrittenOutput) {
  Manifest m = fusedExample();
  m.tensors.erase(m.tensors.begin() + 2); // v
  m.kernels[0].args = {"q", "k", "o", "lse"};
  EXPECT_EQ(errorOf(writeManifest(m)),
            "x.ptx:2: no attn.tensor has role v; the problem needs one tensor "
            "for each of q, k, v, o, lse");
  m = fusedExample();
  m.kernels[0].args = {"q", "k", "v", "lse"};
  EXPECT_EQ(errorOf(writeManifest(m)),
            "x.ptx:6: no kernel takes tensor 'o' (role o, an output) or a "
            "tensor map of it: nothing writes it");
}

TEST(ManifestErrors, Workspaces) {
  auto workspace = [](const std::string &line) {
    return errorOf(fusedPlus(8, line));
  };
  EXPECT_EQ(workspace("// attn.workspace s dtype=f16 elements=4"), "(parsed)");
  EXPECT_EQ(workspace("// attn.workspace s dtype=f16"),
            "x.ptx:8: attn.workspace 's' lacks 'elements='; expected "
            "'attn.workspace <name> dtype=<dtype> elements=<count>'");
  EXPECT_EQ(workspace("// attn.workspace s dtype=f16 elements=0"),
            "x.ptx:8: element count of workspace 's' must be positive, got 0");
  EXPECT_EQ(workspace("// attn.workspace s dtype=f16 elements=2199023255552"),
            "x.ptx:8: element count of workspace 's' 2199023255552 is larger "
            "than 1099511627776");
  EXPECT_EQ(workspace("// attn.workspace s dtype=f64 elements=4"),
            "x.ptx:8: unknown dtype 'f64' of workspace 's'; expected f16, "
            "bf16 or f32");
  EXPECT_EQ(workspace("// attn.workspace o dtype=f16 elements=4"),
            "x.ptx:8: name 'o' is already declared on line 6 (a tensor); "
            "tensors, workspaces, tensor maps and scalars share one set of "
            "names");
}

TEST(ManifestErrors, TensorMaps) {
  auto map = [](const std::string &fields) {
    return errorOf(fusedPlus(8, "// attn.tensormap km " + fields));
  };
  // k is [1,2,64,128] f16: 256-byte rows.
  auto with = [](std::string fields, const std::string &from,
                 const std::string &to) {
    fields.replace(fields.find(from), from.size(), to);
    return fields;
  };
  const std::string ok =
      "tensor=k dtype=f16 rank=3 dims=128,64,2 strides=256,16384 "
      "box=64,64,1 element_strides=1,1,1 interleave=none swizzle=128 "
      "l2_promotion=128 oob_fill=zero";
  EXPECT_EQ(map(ok), "(parsed)");
  EXPECT_EQ(map(with(ok, "tensor=k", "tensor=kk")),
            "x.ptx:8: tensor map 'km' maps 'kk', which no attn.tensor "
            "declares");
  EXPECT_EQ(map(with(ok, "dtype=f16", "dtype=bf16")),
            "x.ptx:8: tensor map 'km' is bf16 but tensor 'k' is f16");
  EXPECT_EQ(map(with(ok, "rank=3", "rank=6")),
            "x.ptx:8: rank '6' of tensor map 'km' is not from 1 to 5 "
            "(cuTensorMapEncodeTiled's limit)");
  EXPECT_EQ(map(with(ok, "dims=128,64,2", "dims=128,64")),
            "x.ptx:8: dims of tensor map 'km' '128,64' has 2 entries; "
            "expected 3");
  EXPECT_EQ(map(with(ok, "dims=128,64,2", "dims=128,0,2")),
            "x.ptx:8: dims of tensor map 'km' '128,0,2' has 0; each must be "
            "in [1, 4294967296]");
  EXPECT_EQ(map(with(ok, "strides=256,16384", "strides=250,16384")),
            "x.ptx:8: strides of tensor map 'km' '250,16384' has 250; each "
            "must be a multiple of 16 bytes");
  EXPECT_EQ(map(with(ok, "box=64,64,1", "box=64,512,1")),
            "x.ptx:8: box of tensor map 'km' '64,512,1' has 512; each must be "
            "in [1, 256]");
  EXPECT_EQ(map(with(ok, "box=64,64,1", "box=4,64,1")),
            "x.ptx:8: box of tensor map 'km': the innermost box dimension 4 x "
            "2 bytes is not a multiple of 16 bytes");
  EXPECT_EQ(map(with(ok, "box=64,64,1", "box=128,64,1")),
            "x.ptx:8: tensor map 'km': the innermost box dimension of 256 "
            "bytes is wider than its 128-byte swizzle");
  EXPECT_EQ(map(with(ok, "element_strides=1,1,1", "element_strides=1,9,1")),
            "x.ptx:8: element_strides of tensor map 'km' '1,9,1' has 9; each "
            "must be in [1, 8]");
  EXPECT_EQ(map(with(ok, "interleave=none", "interleave=16")),
            "x.ptx:8: interleave '16' of tensor map 'km' is not supported; "
            "expected none");
  EXPECT_EQ(map(with(ok, "swizzle=128", "swizzle=256")),
            "x.ptx:8: swizzle '256' of tensor map 'km' is not one of none, "
            "32, 64, 128");
  EXPECT_EQ(map(with(ok, "l2_promotion=128", "l2_promotion=32")),
            "x.ptx:8: l2_promotion '32' of tensor map 'km' is not one of "
            "none, 64, 128, 256");
  EXPECT_EQ(map(with(ok, "oob_fill=zero", "oob_fill=nan")),
            "x.ptx:8: oob_fill 'nan' of tensor map 'km' is not supported; "
            "expected zero");
  EXPECT_EQ(map(with(ok, "dims=128,64,2", "dims=128,64,4")),
            "x.ptx:8: tensor map 'km' spans 65536 bytes, more than the 32768 "
            "bytes of tensor 'k'");
}

TEST(ManifestErrors, Scalars) {
  auto scalar = [](const std::string &fields) {
    return errorOf(fusedPlus(8, "// attn.scalar n " + fields));
  };
  EXPECT_EQ(scalar("type=i32 from=Nk"), "(parsed)");
  EXPECT_EQ(scalar("type=f32 value=0.5"), "(parsed)");
  EXPECT_EQ(scalar("type=u8 value=1"),
            "x.ptx:8: type 'u8' of scalar 'n' is not one of i32, i64, f32");
  EXPECT_EQ(scalar("type=i32"),
            "x.ptx:8: scalar 'n' needs exactly one of value= (a literal) and "
            "from= (a size or a stride); expected 'attn.scalar <name> "
            "type=<i32|i64|f32> value=<number>' or 'attn.scalar <name> "
            "type=<i32|i64|f32> from=<size expression or TENSOR.strideN>'");
  EXPECT_EQ(scalar("type=i32 value=1 from=B").substr(0, 69),
            "x.ptx:8: scalar 'n' needs exactly one of value= (a literal) and "
            "from=");
  EXPECT_EQ(scalar("type=i32 from=N"),
            "x.ptx:8: from 'N' of scalar 'n' is not a problem size (B, H, "
            "Hkv, Nq, Nk or D), a size expression (ceil(Nq/128)*H) or a "
            "stride (q.stride1)");
  EXPECT_EQ(scalar("type=i32 value=2147483648"),
            "x.ptx:8: value '2147483648' of scalar 'n' is not an i32 integer");
  EXPECT_EQ(scalar("type=i64 value=2147483648"), "(parsed)");
  EXPECT_EQ(scalar("type=f32 value=1e39"),
            "x.ptx:8: value '1e39' of scalar 'n' is not a finite f32 number");
  // A size that does not fit the declared type.
  Manifest m = fusedExample();
  m.problem.seqLenQ = m.problem.seqLenK = int64_t(1) << 31;
  m.problem.batch = m.problem.heads = m.problem.kvHeads = 1;
  m.problem.headDim = 16;
  m.tensors = packedTensors(m.problem);
  ScalarDecl n;
  n.name = "n";
  n.size = SizeExpr::field(ProblemField::Nq);
  m.scalars = {n};
  EXPECT_EQ(errorOf(writeManifest(m)),
            "x.ptx:8: scalar 'n' is i32 but Nq = 2147483648 does not fit in "
            "it");
}

TEST(ManifestErrors, KernelShape) {
  auto kernel = [](const std::string &fields) {
    return errorOf(fusedWith(8, "// attn.kernel attn_fwd " + fields +
                                    " args=q,k,v,o,lse"));
  };
  EXPECT_EQ(kernel("grid=1,1,1 block=128,1,1 smem=0"), "(parsed)");
  EXPECT_EQ(kernel("grid=1,1,1 block=0,1,1 smem=0"),
            "x.ptx:8: kernel 'attn_fwd': block 0,1,1 has a zero or negative "
            "dimension");
  EXPECT_EQ(kernel("grid=1,1,1 block=64,32,1 smem=0"),
            "x.ptx:8: kernel 'attn_fwd': block 64,32,1 has 2048 threads; at "
            "most 1024 are allowed");
  EXPECT_EQ(kernel("grid=1,65536,1 block=128,1,1 smem=0"),
            "x.ptx:8: kernel 'attn_fwd': grid 1,65536,1: y and z may not "
            "exceed 65535");
  EXPECT_EQ(kernel("grid=2147483648,1,1 block=128,1,1 smem=0"),
            "x.ptx:8: kernel 'attn_fwd': grid 2147483648,1,1: x exceeds "
            "2147483647");
  EXPECT_EQ(kernel("grid=1,1,1 block=128,1,1 smem=232449"),
            "x.ptx:8: kernel 'attn_fwd': dynamic shared memory of 232449 "
            "bytes exceeds the limit of 232448 bytes (227 KiB)");
  EXPECT_EQ(kernel("grid=1,1 block=128,1,1 smem=0"),
            "x.ptx:8: grid '1,1' is not three extents x,y,z, each an integer "
            "or a size expression (ceil(Nq/128))");
  EXPECT_EQ(kernel("grid=1,1,1 block=128,1,1 smem=1k"),
            "x.ptx:8: smem '1k' is not an integer");
}

TEST(ManifestErrors, KernelArguments) {
  auto args = [](const std::string &list) {
    return errorOf(fusedWith(8, "// attn.kernel attn_fwd grid=2,1,1 "
                                "block=128,1,1 smem=0 args=" +
                                    list));
  };
  EXPECT_EQ(args("q,k,v,o,lse"), "(parsed)");
  EXPECT_EQ(args("q,k,t,o,lse"),
            "x.ptx:8: kernel 'attn_fwd' argument 't' names nothing declared; "
            "declared: k, lse, o, q, v");
  EXPECT_EQ(args("q,k,v,o,lse,q"),
            "x.ptx:8: kernel 'attn_fwd' takes 'q' twice (arguments 1 and 6)");
  EXPECT_EQ(args("q,,o"), "x.ptx:8: args 'q,,o' has an empty name");
  EXPECT_EQ(errorOf(fusedWith(8, "// attn.kernel attn_fwd grid=2,1,1 "
                                 "block=128,1,1 smem=0")),
            "x.ptx:8: attn.kernel 'attn_fwd' lacks 'args='; expected "
            "'attn.kernel <name> grid=X,Y,Z block=X,Y,Z smem=<bytes> "
            "args=<a,b,...>'");
  EXPECT_EQ(errorOf(fusedWith(8, "// attn.kernel attn-fwd grid=2,1,1 "
                                 "block=128,1,1 smem=0 args=q")),
            "x.ptx:8: name 'attn-fwd' of attn.kernel is not an identifier "
            "(letters, digits, _ and $, not starting with a digit)");
}

TEST(ManifestErrors, Cost) {
  auto cost = [](const std::string &fields) {
    return errorOf(fusedWith(9, "// attn.cost " + fields));
  };
  EXPECT_EQ(cost("kernel=attn_fwd flops=1 bytes=1 predicted_ms=1"), "(parsed)");
  EXPECT_EQ(cost("kernel=other flops=1 bytes=1 predicted_ms=1"),
            "x.ptx:9: attn.cost names kernel 'other', which no attn.kernel "
            "line above declares");
  EXPECT_EQ(cost("kernel=attn_fwd flops=1 bytes=1"),
            "x.ptx:9: attn.cost lacks 'predicted_ms='; expected 'attn.cost "
            "kernel=<name> flops=<n> bytes=<n> predicted_ms=<x>'");
  EXPECT_EQ(cost("kernel=attn_fwd flops=x bytes=1 predicted_ms=1"),
            "x.ptx:9: attn.cost flops 'x' is not a non-negative number");
  EXPECT_EQ(errorOf(fusedPlus(10, "// attn.cost kernel=attn_fwd flops=1 "
                                  "bytes=1 predicted_ms=1")),
            "x.ptx:10: second attn.cost line for kernel 'attn_fwd'; every "
            "attn.kernel of that name above has one");
}

TEST(Manifest, RepeatedKernelsTakeTheirCostsInOrder) {
  Manifest m = fusedExample();
  m.kernels.push_back(m.kernels[0]);
  m.kernels[1].predictedMs = 7;
  Manifest parsed = roundTrip(m);
  ASSERT_EQ(parsed.kernels.size(), 2u);
  EXPECT_EQ(parsed.kernels[0].predictedMs, 3.92776e-05);
  EXPECT_EQ(parsed.kernels[1].predictedMs, 7);
}

} // namespace

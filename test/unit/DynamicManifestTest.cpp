//===- DynamicManifestTest.cpp - Run-time sizes in the manifest -----------===//
//
// Size expressions (runtime/SizeExpr.h), manifests with "?" sizes and
// strides (written, read back, refused where malformed), and instantiate()
// (runtime/Instantiate.h): the sizes and strides of one run's tensors turned
// into a manifest of numbers, and every way the tensors can disagree.
//
//===----------------------------------------------------------------------===//

#include "runtime/Instantiate.h"
#include "runtime/SizeExpr.h"

#include "ManifestExamples.h"

#include <gtest/gtest.h>

using namespace attn::rt;
using namespace attn::test;

namespace {

constexpr int64_t dyn = kDynamicSize;

Problem sized(int64_t b, int64_t h, int64_t hkv, int64_t nq, int64_t nk) {
  Problem p = Problem::attention(b, h, nq, 128, DType::BF16);
  p.kvHeads = hkv;
  p.seqLenK = nk;
  return p;
}

//===----------------------------------------------------------------------===//
// SizeExpr
//===----------------------------------------------------------------------===//

TEST(SizeExpr, PrintsParsesAndEvaluates) {
  using F = ProblemField;
  SizeExpr grid = SizeExpr::ceilDiv(F::Nq, 128) * SizeExpr::field(F::H);
  EXPECT_EQ(grid.str(), "ceil(Nq/128)*H");
  EXPECT_EQ(SizeExpr::parse("ceil(Nq/128)*H"), grid);
  Problem p = sized(2, 8, 2, 1000, 300);
  EXPECT_EQ(*grid.evaluate(p), 8 * 8); // ceil(1000/128) = 8
  EXPECT_EQ(*SizeExpr::parse("B*H*Nq*Nk")->evaluate(p), 2 * 8 * 1000 * 300);
  EXPECT_EQ(*SizeExpr::parse("ceil(Nk/64)")->evaluate(p), 5);
  // Constants fold; the empty product is 1.
  EXPECT_EQ((SizeExpr::constant(4) * SizeExpr::constant(8)).str(), "32");
  EXPECT_EQ((SizeExpr::constant(2) * SizeExpr::field(F::B)).str(), "2*B");
  EXPECT_EQ(SizeExpr().str(), "1");
  EXPECT_EQ(SizeExpr::parse("32")->constantValue(), 32);
  EXPECT_EQ(SizeExpr::parse("Nq")->constantValue(), std::nullopt);
  EXPECT_EQ(SizeExpr::ceilDiv(F::Nk, 1), SizeExpr::field(F::Nk));
}

TEST(SizeExpr, SumsOfProducts) {
  using F = ProblemField;
  // A packed batch's row blocks: ceil(Nq/128) + S + 1.
  SizeExpr blocks = SizeExpr::ceilDiv(F::Nq, 128) + SizeExpr::field(F::S) +
                    SizeExpr::constant(1);
  EXPECT_EQ(blocks.str(), "ceil(Nq/128)+S+1");
  EXPECT_EQ(SizeExpr::parse("ceil(Nq/128)+S+1"), blocks);
  Problem p = sized(1, 8, 8, 1000, 1000);
  p.sequences = 16;
  EXPECT_EQ(*blocks.evaluate(p), 8 + 16 + 1);
  // Constant terms fold; products distribute over sums.
  EXPECT_EQ((SizeExpr::constant(2) + SizeExpr::constant(3)).str(), "5");
  EXPECT_EQ(
      ((SizeExpr::field(F::S) + SizeExpr::constant(1)) * SizeExpr::constant(4))
          .str(),
      "4*S+4");
  EXPECT_EQ((SizeExpr::field(F::S) + SizeExpr::constant(1)).constantValue(),
            std::nullopt);
  EXPECT_EQ(SizeExpr::parse("3+4")->constantValue(), 7);
  EXPECT_EQ(SizeExpr::parse("3+4"), SizeExpr::constant(7));
  EXPECT_EQ(SizeExpr::parse("S+1+2"),
            SizeExpr::field(F::S) + SizeExpr::constant(3));
  // A sum that would overflow is not folded into a wrong constant.
  int64_t big = int64_t(1) << 62;
  SizeExpr huge = SizeExpr::constant(big) + SizeExpr::constant(big) +
                  SizeExpr::constant(big);
  EXPECT_EQ(huge.constantValue(), std::nullopt);
  ASSERT_FALSE(huge.evaluate(p).ok());
  EXPECT_NE(huge.evaluate(p).status().message().find("more than 2^62"),
            std::string::npos);
  EXPECT_EQ((SizeExpr::field(F::S) + SizeExpr::constant(1)).singleField(),
            std::nullopt);
  EXPECT_EQ(SizeExpr::field(F::S).singleField(), F::S);
  // S of a dense problem is not a size: an expression reading it says so.
  p.sequences = 0;
  Expected<int64_t> dense = blocks.evaluate(p);
  ASSERT_FALSE(dense.ok());
  EXPECT_EQ(dense.status().message(),
            "the size S that ceil(Nq/128)+S+1 reads is not known");
}

TEST(SizeExpr, RefusesWhatItCannotRead) {
  for (const char *text :
       {"", "*", "N", "0", "-4", "B*", "ceil(Nq/0)", "ceil(Nq)", "ceil(X/2)",
        "B+", "+H", "B++H", "ceil(Nq/128"})
    EXPECT_EQ(SizeExpr::parse(text), std::nullopt) << text;
}

TEST(SizeExpr, EvaluationNamesAnUnknownSizeAndOverflow) {
  Problem p = sized(dyn, 8, 8, 100, 100);
  Expected<int64_t> unknown = SizeExpr::parse("B*H")->evaluate(p);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(),
            "the size B that B*H reads is not known");
  p = sized(int64_t(1) << 40, 1, 1, int64_t(1) << 40, 1);
  Expected<int64_t> big = SizeExpr::parse("B*Nq")->evaluate(p);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().message(), "B*Nq is more than 2^62 for these sizes");
}

//===----------------------------------------------------------------------===//
// Manifests with run-time sizes
//===----------------------------------------------------------------------===//

TEST(DynamicManifest, WritesQuestionMarksAndExpressions) {
  std::string text = writeManifest(dynamicExample());
  EXPECT_NE(text.find("B=? H=? Hkv=? Nq=? Nk=? D=128"), std::string::npos)
      << text;
  EXPECT_NE(text.find("// attn.tensor q role=q dtype=bf16 shape=?,?,?,128 "
                      "strides=?,?,?,1 align=16\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("// attn.workspace s dtype=bf16 elements=B*H*Nq*Nk\n"),
            std::string::npos);
  EXPECT_NE(text.find("dims=?,?,?,? strides=?,?,? box=64,128,1,1"),
            std::string::npos);
  EXPECT_NE(text.find("// attn.scalar k_size2 type=i64 from=Nk\n"),
            std::string::npos);
  EXPECT_NE(text.find("// attn.scalar q_stride2 type=i64 from=q.stride2\n"),
            std::string::npos);
  EXPECT_NE(text.find("// attn.kernel attn_qk grid=B*H,ceil(Nq/128),"
                      "ceil(Nk/64) block=256,1,1"),
            std::string::npos);
  EXPECT_NE(text.find("// attn.kernel attn_pv grid=B*H,ceil(Nq/128),1 "),
            std::string::npos);
}

TEST(DynamicManifest, RoundTrips) {
  Manifest m = dynamicExample();
  Expected<Manifest> parsed = parseManifest(writeManifest(m), "d.ptx");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(*parsed, m);
  EXPECT_TRUE(parsed->isDynamic());
  EXPECT_FALSE(unfusedExample().isDynamic());
  EXPECT_EQ(parsed->workspaceBytes(), 0u); // Known per run only.
}

/// The error parsing the dynamic example with `from` replaced by `to`.
std::string errorWith(const std::string &from, const std::string &to) {
  std::string text = writeManifest(dynamicExample());
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
  Expected<Manifest> parsed = parseManifest(text, "d.ptx");
  return parsed.ok() ? "(parsed)" : parsed.status().message();
}

TEST(DynamicManifest, RefusesMalformedRunTimeSizes) {
  EXPECT_EQ(errorWith("D=128", "D=?"), "d.ptx:2: D '?' is not an integer");
  EXPECT_EQ(
      errorWith("shape=?,?,?,128 strides=?,?,?,1 align=16\n// attn.tensor k",
                "shape=?,?,?,128 strides=?,?,?,? align=16\n// attn.tensor k"),
      "d.ptx:3: strides of tensor 'q' '?,?,?,?' end in ?; the last "
      "dimension is contiguous (stride 1) or given");
  EXPECT_EQ(errorWith("elements=B*H*Nq*Nk", "elements=B*H*N"),
            "d.ptx:7: element count 'B*H*N' of workspace 's' is neither a "
            "positive integer nor a size expression (B*H*Nq*Nk, "
            "ceil(Nk/128)*H)");
  EXPECT_EQ(errorWith("dims=?,?,?,?", "dims=128,?,?,?"),
            "d.ptx:8: tensor map 'k_map' has some dims or strides ? and some "
            "not; either all are ? (the tensor's own, taken at launch) or "
            "none");
  EXPECT_EQ(errorWith("from=q.stride2", "from=q.stride7"),
            "d.ptx:10: scalar 'q_stride2' is stride 7 of tensor 'q', which "
            "has 4 dimensions");
  EXPECT_EQ(errorWith("from=q.stride2", "from=x.stride2"),
            "d.ptx:10: scalar 'q_stride2' is a stride of 'x', which no "
            "attn.tensor declares");
  EXPECT_EQ(errorWith("grid=B*H,ceil(Nq/128),ceil(Nk/64)",
                      "grid=B*H,ceil(Nq/128),ceil(Nk/0)"),
            "d.ptx:12: grid 'B*H,ceil(Nq/128),ceil(Nk/0)' is not three "
            "extents x,y,z, each an integer or a size expression "
            "(ceil(Nq/128))");
  // The known extents are still checked.
  EXPECT_EQ(errorWith("grid=B*H,ceil(Nq/128),ceil(Nk/64)",
                      "grid=B*H,70000,ceil(Nk/64)"),
            "d.ptx:12: kernel 'attn_qk': grid 'B*H,70000,ceil(Nk/64)': y = "
            "70000 is not in [1, 65535]");
}

//===----------------------------------------------------------------------===//
// instantiate()
//===----------------------------------------------------------------------===//

/// Tensors of `p` at made-up addresses, with their shapes; [B,N,H,D]
/// strides for q and o when `bnhd`.
TensorBindings tensorsOf(const Problem &p, bool bnhd = false) {
  TensorBindings t;
  uint64_t address = 0x100000;
  for (TensorRole role : p.roles()) {
    TensorArg arg(address, {}, 0, p.shape(role));
    if (bnhd && (role == TensorRole::Q || role == TensorRole::O)) {
      int64_t h = p.heads, n = p.seqLenQ, d = p.headDim;
      arg.strides = {n * h * d, d, h * d, 1};
    }
    t.bind(role, arg);
    address += 0x100000;
  }
  return t;
}

TEST(Instantiate, FillsSizesStridesMapsScalarsAndGrids) {
  Manifest m = dynamicExample();
  Problem p = sized(2, 8, 8, 1000, 300);
  p.causal = true;
  p.pipeline = PipelineKind::Unfused;
  Expected<Manifest> one = instantiate(m, tensorsOf(p, /*bnhd=*/true));
  ASSERT_TRUE(one.ok()) << one.status().message();
  EXPECT_FALSE(one->isDynamic());
  EXPECT_EQ(one->problem, p);
  const TensorDecl &q = *one->tensorFor(TensorRole::Q);
  EXPECT_EQ(q.shape, (std::vector<int64_t>{2, 8, 1000, 128}));
  EXPECT_EQ(q.strides, (std::vector<int64_t>{1024000, 128, 1024, 1}));
  EXPECT_EQ(one->tensorFor(TensorRole::K)->strides,
            (std::vector<int64_t>{8 * 300 * 128, 300 * 128, 128, 1}));
  EXPECT_EQ(one->workspaces[0].bytes(), 2u * 8 * 1000 * 300 * 2);
  // The map is k's own view, innermost first, strides in bytes.
  EXPECT_EQ(one->tensorMaps[0].dims, (std::vector<int64_t>{128, 300, 8, 2}));
  EXPECT_EQ(one->tensorMaps[0].strides,
            (std::vector<int64_t>{256, 300 * 256, 8 * 300 * 256}));
  EXPECT_EQ(one->scalars[0].intValue, 300);  // Nk
  EXPECT_EQ(one->scalars[1].intValue, 1024); // q's stride of Nq: H*D
  EXPECT_EQ(one->scalars[2].intValue, 8000); // H*Nq
  EXPECT_EQ(one->kernels[0].shape.grid.str(), "16,8,5");
  EXPECT_EQ(one->kernels[1].shape.grid.str(), "16,8,1");
  // A static manifest comes back unchanged.
  Problem fixed = unfusedExample().problem;
  Expected<Manifest> same = instantiate(unfusedExample(), tensorsOf(fixed));
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(*same, unfusedExample());
}

TEST(Instantiate, GroupedQueryHeadsTakeHkvAndNkFromK) {
  Manifest m = dynamicExample();
  Problem p = sized(1, 32, 8, 1, 4096);
  Expected<Manifest> one = instantiate(m, tensorsOf(p));
  ASSERT_TRUE(one.ok()) << one.status().message();
  EXPECT_EQ(one->problem.kvHeads, 8);
  EXPECT_EQ(one->problem.seqLenK, 4096);
  EXPECT_EQ(one->kernels[0].shape.grid.str(), "32,1,64");
}

/// The error instantiating the dynamic example for `p`'s tensors after
/// `edit` changes them.
template <typename Edit> std::string errorFor(const Problem &p, Edit edit) {
  TensorBindings t = tensorsOf(p);
  edit(t);
  Expected<Manifest> one = instantiate(dynamicExample(), t);
  return one.ok() ? "(instantiated)" : one.status().message();
}

TEST(Instantiate, NamesTheTensorAndTheSizeThatDisagree) {
  Problem p = sized(2, 8, 2, 100, 300);
  auto arg = [&](TensorRole role) { return *tensorsOf(p).find(role); };
  EXPECT_EQ(errorFor(p, [](TensorBindings &) {}), "(instantiated)");
  EXPECT_EQ(errorFor(p,
                     [&](TensorBindings &t) {
                       TensorArg k = arg(TensorRole::K);
                       k.shape = {};
                       t.bind(TensorRole::K, k);
                     }),
            "k: no shape given; the kernels were compiled for sizes known at "
            "launch, which they take from the tensors' shapes [B,Hkv,Nk,D]");
  EXPECT_EQ(errorFor(p,
                     [&](TensorBindings &t) {
                       TensorArg v = arg(TensorRole::V);
                       v.shape = {2, 2, 299, 128};
                       t.bind(TensorRole::V, v);
                     }),
            "v: shape [2,2,299,128] has Nk = 299 where k has Nk = 300");
  EXPECT_EQ(errorFor(p,
                     [&](TensorBindings &t) {
                       TensorArg o = arg(TensorRole::O);
                       o.shape = {2, 8, 100, 64};
                       t.bind(TensorRole::O, o);
                     }),
            "o: shape [2,8,100,64] has D = 64 where the kernels were "
            "compiled for D = 128");
  EXPECT_EQ(errorFor(p,
                     [&](TensorBindings &t) {
                       TensorArg q = arg(TensorRole::Q);
                       q.shape = {2, 8, 100};
                       t.bind(TensorRole::Q, q);
                     }),
            "q: shape [2,8,100] has 3 dimensions; the tensor is [B,H,Nq,D]");
  EXPECT_EQ(errorFor(p,
                     [&](TensorBindings &t) {
                       TensorArg q = arg(TensorRole::Q);
                       q.strides = {102400, 12800, 129, 1};
                       t.bind(TensorRole::Q, q);
                     }),
            "q: stride 129 of dimension 2 (Nq) is not a positive multiple of "
            "16 bytes; the kernels access its rows with 16-byte vector loads "
            "and tensor maps");
  Problem odd = sized(1, 6, 4, 10, 10);
  EXPECT_EQ(errorFor(odd, [](TensorBindings &) {}),
            "the tensors' sizes: H = 6 is not a multiple of Hkv = 4; each "
            "K/V head serves a whole group of query heads");
  // Sizes beyond a launch's limits are caught by the manifest's checks.
  Problem wide = sized(1, 1, 1, 65536 * 128 + 1, 64);
  EXPECT_EQ(errorFor(wide, [](TensorBindings &) {}),
            "for unfused bf16 B=1 H=1 Nq=8388609 Nk=64 D=128 causal=1: "
            "kernel 'attn_qk': grid 1,65537,1: y and z may not exceed 65535");
}

} // namespace

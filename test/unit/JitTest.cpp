//===- JitTest.cpp - The C++ JIT API and its kernel cache -----------------===//
//
// Without a GPU: descriptions and their errors, compile() of descriptions
// and MLIR text, the in-process and disk caches (hit, miss, damaged
// entries, concurrent writers in two processes), the launch checks and the
// debugging switches. With a GPU, also a launch compared with the float64
// reference.
//
//===----------------------------------------------------------------------===//

#include "compiler/Target/Chip.h"
#include "jit/Attention.h"
#include "jit/DiskCache.h"
#include "runtime/Device.h"
#include "runtime/FloatConvert.h"
#include "runtime/Reference.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>

#include <sys/stat.h>
#include <unistd.h>

using namespace attn;

/// Expects `part` in the string `text`, and prints `text` when it is not.
#define EXPECT_CONTAINS(text, part)                                            \
  EXPECT_NE(std::string(text).find(part), std::string::npos)                   \
      << "'" << (part) << "' not in: " << (text)

namespace {

/// A small problem that compiles in a fraction of a second, its sizes
/// compiled in.
jit::AttentionDesc smallDesc() {
  jit::AttentionDesc desc;
  desc.elementType = jit::ElementType::F16;
  desc.sizes = jit::Sizes::Compiled;
  desc.batch = 1, desc.heads = 2, desc.seqLen = 64, desc.headDim = 64;
  return desc;
}

std::string errorOf(const jit::AttentionDesc &desc) {
  rt::Status status = jit::validate(desc);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), rt::StatusCode::InvalidArgument);
  // compile() refuses with the same message, before any compiling.
  auto kernel = jit::compile(desc);
  EXPECT_FALSE(kernel.ok());
  if (!kernel.ok()) {
    EXPECT_EQ(kernel.status().message(), status.message());
  }
  return status.message();
}

std::vector<std::string> filesIn(const std::string &dir) {
  std::vector<std::string> names;
  std::error_code error;
  for (llvm::sys::fs::directory_iterator it(dir, error), end;
       !error && it != end; it.increment(error))
    names.push_back(llvm::sys::path::filename(it->path()).str());
  std::sort(names.begin(), names.end());
  return names;
}

std::string readAll(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  return buffer ? (*buffer)->getBuffer().str() : std::string();
}

void writeAll(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

/// Every test gets its own empty cache directory and environment, and
/// collects the cache's reports instead of printing them.
class Jit : public ::testing::Test {
protected:
  void SetUp() override {
    llvm::SmallString<128> dir;
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("attn-jit-test", dir));
    cacheDir = std::string(dir);
    ::setenv("ATTN_CACHE_DIR", cacheDir.c_str(), 1);
    for (const char *name :
         {"ATTN_DISABLE_CACHE", "ATTN_DUMP_DIR", "ATTN_PASS_TIMING"})
      ::unsetenv(name);
    jit::clearInProcessCache();
    reports.clear();
    jit::setCacheReporter(
        [this](const std::string &line) { reports.push_back(line); });
  }
  void TearDown() override {
    jit::setCacheReporter(nullptr);
    jit::clearInProcessCache();
    ::unsetenv("ATTN_CACHE_DIR");
    llvm::sys::fs::remove_directories(cacheDir);
  }

  /// The one .ptx entry of the cache directory.
  std::string ptxEntry() {
    std::vector<std::string> entries;
    for (const std::string &name : filesIn(cacheDir))
      if (llvm::StringRef(name).ends_with(".ptx"))
        entries.push_back(name);
    EXPECT_EQ(entries.size(), 1u);
    return entries.empty() ? "" : cacheDir + "/" + entries.front();
  }

  std::string cacheDir;
  std::vector<std::string> reports;
};

//===----------------------------------------------------------------------===//
// Descriptions
//===----------------------------------------------------------------------===//

TEST_F(Jit, UnsupportedHeadDimensionIsRefused) {
  jit::AttentionDesc desc = smallDesc();
  desc.headDim = 100;
  EXPECT_EQ(errorOf(desc),
            "head dimension D = 100 is not supported for f16: D must be a "
            "multiple of 16 (the MMA contraction step) and at most 256");
  desc.headDim = 512;
  EXPECT_CONTAINS(errorOf(desc), "D = 512 is not supported");
  desc.headDim = 0;
  EXPECT_CONTAINS(errorOf(desc), "D = 0 is not supported");
  // f32 contracts in steps of 8.
  desc.elementType = jit::ElementType::F32;
  desc.headDim = 40;
  EXPECT_TRUE(jit::validate(desc).ok());
  desc.headDim = 36;
  EXPECT_CONTAINS(errorOf(desc), "for f32: D must be a multiple of 8");
}

TEST_F(Jit, EmptyProblemIsRefused) {
  jit::AttentionDesc desc = smallDesc();
  desc.seqLen = 0;
  EXPECT_EQ(errorOf(desc), "seqLen (N) is 0; it must be at least 1");
  desc = smallDesc();
  desc.batch = -2;
  EXPECT_EQ(errorOf(desc), "batch (B) is -2; it must be at least 1");
  desc = smallDesc();
  desc.heads = 0;
  EXPECT_EQ(errorOf(desc), "heads (H) is 0; it must be at least 1");
}

TEST_F(Jit, BadOptionsAreRefused) {
  jit::AttentionDesc desc = smallDesc();
  desc.chip = "sm_75";
  EXPECT_EQ(errorOf(desc), "chip 'sm_75' is not supported: use sm_80, sm_86, "
                           "sm_89, sm_90, sm_90a, or leave it empty for the "
                           "device's");
  for (const char *chip : {"sm_100", "garbage", " sm_90"}) {
    desc.chip = chip;
    EXPECT_CONTAINS(errorOf(desc), "is not supported: use sm_80");
  }
  desc = smallDesc();
  desc.scale = -1.0;
  EXPECT_CONTAINS(errorOf(desc), "scale is -1.0");
  // The op keeps the scale as an f32: one outside its range is refused, not
  // turned into inf or 0 in the generated text.
  desc.scale = 1e300;
  EXPECT_EQ(errorOf(desc), "scale is 1e+300, outside the range of an f32 (the "
                           "attention op stores it as one): use a value from "
                           "1.2e-38 to 3.4e38");
  desc.scale = 1e-300;
  EXPECT_CONTAINS(errorOf(desc), "scale is 1e-300, outside the range");
  desc = smallDesc();
  desc.batch = int64_t(1) << 30;
  desc.seqLen = int64_t(1) << 20;
  EXPECT_EQ(errorOf(desc), "B*H*Nq*D is more than the 1099511627776 elements "
                           "a tensor may hold");
  desc = smallDesc();
  desc.tuning.numStages = 9;
  EXPECT_EQ(errorOf(desc),
            "tuning: num-stages=9: must be 0 (the default, 2) or in [1, 8]");
  desc = smallDesc();
  desc.tuning.blockN = 100000;
  EXPECT_EQ(errorOf(desc), "tuning: block-n=100000: must be 0 (the default) "
                           "or a multiple of 16 in [16, 256]");
  desc = smallDesc();
  desc.tuning.blockM = -64;
  EXPECT_CONTAINS(errorOf(desc), "tuning.blockM is -64");
}

TEST_F(Jit, CompilerDiagnosticsComeBackAsErrors) {
  // Valid as a description, refused by the tiling pass: block-m must be a
  // multiple of 16 x num-warps.
  jit::AttentionDesc desc = smallDesc();
  desc.tuning.blockM = 48;
  desc.tuning.numWarps = 4;
  auto kernel = jit::compile(desc);
  ASSERT_FALSE(kernel.ok());
  EXPECT_CONTAINS(kernel.status().message(), "block-m 48 must be");
}

TEST_F(Jit, MlirTextCompiles) {
  const char *text = R"(
func.func @attention(%q: tensor<1x2x40x64xbf16>, %k: tensor<1x2x40x64xbf16>,
                     %v: tensor<1x2x40x64xbf16>) -> tensor<1x2x40x64xbf16> {
  %o = attn.attention %q, %k, %v causal : tensor<1x2x40x64xbf16>,
       tensor<1x2x40x64xbf16>, tensor<1x2x40x64xbf16> -> tensor<1x2x40x64xbf16>
  return %o : tensor<1x2x40x64xbf16>
}
)";
  jit::CompileOptions options;
  options.pipeline = jit::Pipeline::Unfused;
  auto kernel = jit::compile(text, options);
  ASSERT_TRUE(kernel.ok()) << kernel.status().message();
  const rt::Problem &p = (*kernel)->problem();
  EXPECT_EQ(p.seqLenQ, 40);
  EXPECT_EQ(p.seqLenK, 40);
  EXPECT_EQ(p.dtype, rt::DType::BF16);
  EXPECT_TRUE(p.causal);
  EXPECT_EQ((*kernel)->manifest().kernels.size(), 3u);
  EXPECT_EQ((*kernel)->workspaceBytes(), 2u * 2 * 40 * 40 * 2);

  auto bad = jit::compile("func.func @f( {", options);
  ASSERT_FALSE(bad.ok());
  EXPECT_CONTAINS(bad.status().message(), "cannot parse the input module");
  auto none = jit::compile("func.func @f() { return }", options);
  ASSERT_FALSE(none.ok());
  EXPECT_CONTAINS(
      none.status().message(),
      "exactly one attn.attention or attn.attention_backward, found 0");
}

/// Texts that crash MLIR 22's parser on a thread with the usual 8 MiB stack
/// (issue 9): the JIT must answer each with an error, not end the process.
TEST_F(Jit, TextsThatCrashTheParserAreErrors) {
  jit::CompileOptions options;
  // A null dereference in parseDenseArrayAttr: a crash whatever the stack.
  auto dense = jit::compile(
      "func.func private @f() attributes {x = array<index: 1>}", options);
  ASSERT_FALSE(dense.ok());
  EXPECT_CONTAINS(dense.status().message(),
                  "attn compiler: the compiler crashed while parsing and "
                  "compiling the module: signal 11");

  // An allocation the parser cannot make (a vector of 2^32 elements): an
  // error that says so, not LLVM's "out of memory" abort.
  auto huge = jit::compile("func.func @f(%a: f32) {\n"
                           "  %v = vector.from_elements %a, %a : "
                           "vector<2x2147483647xf32>\n  return\n}\n",
                           options);
  ASSERT_FALSE(huge.ok());
  EXPECT_CONTAINS(huge.status().message(),
                  "the compiler crashed while parsing and compiling the "
                  "module: LLVM ERROR: out of memory");

  // Nesting that overflows an 8 MiB stack; the compile thread's larger one
  // parses it, and what is left is the ordinary error.
  std::string arrays =
      "func.func private @f() attributes {x = " + std::string(10000, '[') +
      "1" + std::string(10000, ']') + "}";
  std::string regions = "func.func @f() {\n";
  for (int i = 0; i < 3000; ++i)
    regions += "scf.execute_region {\n";
  for (int i = 0; i < 3000; ++i)
    regions += "scf.yield\n}\n";
  regions += "return\n}\n";
  for (const std::string &text : {arrays, regions}) {
    auto deep = jit::compile(text, options);
    ASSERT_FALSE(deep.ok());
    EXPECT_CONTAINS(deep.status().message(),
                    "the module must hold exactly one attn.attention or "
                    "attn.attention_backward, found 0");
  }

  // And the process goes on compiling.
  auto kernel = jit::compile(smallDesc());
  EXPECT_TRUE(kernel.ok()) << kernel.status().message();
}

//===----------------------------------------------------------------------===//
// Caches
//===----------------------------------------------------------------------===//

TEST_F(Jit, SecondCompileReturnsTheSameKernel) {
  auto first = jit::compile(smallDesc());
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ((*first)->origin(), jit::Origin::Compiled);
  EXPECT_EQ((*first)->manifest().kernels.size(), 1u);
  EXPECT_NE((*first)->ptx().find(".target sm_90"), std::string::npos);
  auto second = jit::compile(smallDesc());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->get(), second->get());

  // Anything in the key changes the kernel.
  jit::AttentionDesc other = smallDesc();
  other.chip = "sm_80";
  auto third = jit::compile(other);
  ASSERT_TRUE(third.ok());
  EXPECT_NE((*third)->key(), (*first)->key());
  EXPECT_NE((*third)->ptx().find(".target sm_80"), std::string::npos);
  EXPECT_TRUE(reports.empty());
}

TEST_F(Jit, ChipDefaultsToTheDevicesAndIsInTheKey) {
  jit::AttentionDesc detect = smallDesc();
  ASSERT_EQ(detect.chip, "") << "empty means: detect";
  auto detected = jit::compile(detect);
  ASSERT_TRUE(detected.ok()) << detected.status().message();
  std::string expected = "sm_90"; // no GPU: PTX for sm_90
  if (auto ctx = jit::context(); ctx.ok()) {
    int cc = (*ctx)->computeCapability();
    expected = chipInfo(*chipForDevice(cc / 10, cc % 10)).name.str();
  }
  EXPECT_EQ((*detected)->chip(), expected);
  EXPECT_NE((*detected)->ptx().find(".target " + expected + "\n"),
            std::string::npos);
  // The chip chosen, not the empty request, is in the key: asking for it by
  // name gives the same kernel.
  jit::AttentionDesc named = smallDesc();
  named.chip = expected;
  auto byName = jit::compile(named);
  ASSERT_TRUE(byName.ok());
  EXPECT_EQ((*byName)->key(), (*detected)->key());
  EXPECT_EQ(byName->get(), detected->get());
  named.chip = expected == "sm_80" ? "sm_86" : "sm_80";
  auto other = jit::compile(named);
  ASSERT_TRUE(other.ok());
  EXPECT_NE((*other)->key(), (*detected)->key());
}

TEST_F(Jit, DiskHitInAFreshProcessState) {
  auto compiled = jit::compile(smallDesc());
  ASSERT_TRUE(compiled.ok()) << compiled.status().message();
  std::string entry = ptxEntry();
  char key[17];
  std::snprintf(key, sizeof key, "%016llx",
                (unsigned long long)(*compiled)->key());
  EXPECT_EQ(llvm::sys::path::filename(entry), std::string(key) + ".ptx");

  jit::clearInProcessCache(); // as a new process would start
  auto cached = jit::compile(smallDesc());
  ASSERT_TRUE(cached.ok()) << cached.status().message();
  EXPECT_EQ((*cached)->origin(), jit::Origin::DiskCache);
  EXPECT_EQ((*cached)->ptx(), (*compiled)->ptx());
  EXPECT_NE(cached->get(), compiled->get());
  EXPECT_TRUE(reports.empty());
}

TEST_F(Jit, DisabledCacheNeitherReadsNorWrites) {
  ::setenv("ATTN_DISABLE_CACHE", "1", 1);
  EXPECT_EQ(jit::cacheDirectory(), "");
  auto first = jit::compile(smallDesc());
  auto second = jit::compile(smallDesc());
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ((*second)->origin(), jit::Origin::Compiled);
  EXPECT_NE(first->get(), second->get());
  EXPECT_TRUE(filesIn(cacheDir).empty());
}

TEST_F(Jit, TruncatedEntryIsReportedOnceAndRebuilt) {
  auto compiled = jit::compile(smallDesc());
  ASSERT_TRUE(compiled.ok()) << compiled.status().message();
  std::string entry = ptxEntry();
  std::string good = readAll(entry);
  writeAll(entry, good.substr(0, good.size() / 2));

  jit::clearInProcessCache();
  auto rebuilt = jit::compile(smallDesc());
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().message();
  EXPECT_EQ((*rebuilt)->origin(), jit::Origin::Compiled);
  EXPECT_EQ((*rebuilt)->ptx(), (*compiled)->ptx());
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_CONTAINS(reports[0], "damaged cache entry '" + entry + "'");
  EXPECT_CONTAINS(reports[0], "truncated: ");
  // The rebuilt entry is whole again and is used from now on.
  EXPECT_EQ(readAll(entry), good);
  jit::clearInProcessCache();
  auto again = jit::compile(smallDesc());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->origin(), jit::Origin::DiskCache);
  EXPECT_EQ(reports.size(), 1u);
}

TEST_F(Jit, CorruptedEntryIsNeverLoaded) {
  auto compiled = jit::compile(smallDesc());
  ASSERT_TRUE(compiled.ok()) << compiled.status().message();
  std::string entry = ptxEntry();
  std::string bytes = readAll(entry);
  // One flipped bit in the PTX, same length: only the checksum sees it.
  bytes[bytes.size() - 100] ^= 0x01;
  writeAll(entry, bytes);

  jit::clearInProcessCache();
  auto rebuilt = jit::compile(smallDesc());
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().message();
  EXPECT_EQ((*rebuilt)->origin(), jit::Origin::Compiled);
  EXPECT_EQ((*rebuilt)->ptx(), (*compiled)->ptx());
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_CONTAINS(reports[0], "checksum mismatch");
}

TEST_F(Jit, ForeignFileIsNeverLoaded) {
  auto compiled = jit::compile(smallDesc());
  ASSERT_TRUE(compiled.ok());
  writeAll(ptxEntry(), "not a cache entry\n");
  jit::clearInProcessCache();
  auto rebuilt = jit::compile(smallDesc());
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_EQ((*rebuilt)->origin(), jit::Origin::Compiled);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_CONTAINS(reports[0], "malformed header");
}

TEST_F(Jit, EntryFormatRoundTrips) {
  std::string why;
  std::string key = "attn 0.1.0\0pipeline=fused\0func.func @f()";
  std::string payload = "// attn.version 2\n.version 8.0\n";
  std::string file = jit::DiskCache::encode(key, payload);
  EXPECT_EQ(jit::DiskCache::decode(file, key, why), payload);
  EXPECT_FALSE(jit::DiskCache::decode(file + "x", key, why));
  EXPECT_EQ(why, "1 bytes past the end of the payload");
  EXPECT_FALSE(
      jit::DiskCache::decode(file.substr(0, file.size() - 1), key, why));
  EXPECT_CONTAINS(why, "truncated: ");
  EXPECT_FALSE(jit::DiskCache::decode("", key, why));
  EXPECT_CONTAINS(why, "no header line");
  std::string newer = file;
  newer.replace(newer.find(" 2 "), 3, " 3 ");
  EXPECT_FALSE(jit::DiskCache::decode(newer, key, why));
  EXPECT_EQ(why, "entry format 3, this reader reads 2");
  // A sound entry made for other key material is not this key's.
  EXPECT_FALSE(jit::DiskCache::decode(file, key + " ", why));
  EXPECT_CONTAINS(why, "made for another request");
  // Sizes that would wrap when added are refused, not trusted.
  EXPECT_FALSE(jit::DiskCache::decode(
      "attn-cache 2 18446744073709551615 2 0000000000000000\nab", key, why));
  EXPECT_CONTAINS(why, "truncated");
}

/// Compiles smallDesc() once to learn its entry's path, then empties the
/// caches so that the next compile() reads the disk cache again.
std::string entryPathOf(const jit::AttentionDesc &desc,
                        const std::string &cacheDir) {
  auto kernel = jit::compile(desc);
  EXPECT_TRUE(kernel.ok()) << kernel.status().message();
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.ptx",
                kernel.ok() ? (unsigned long long)(*kernel)->key() : 0ull);
  jit::clearInProcessCache();
  return cacheDir + "/" + name;
}

bool isRegularFile(const std::string &path) {
  llvm::sys::fs::file_status status;
  return !llvm::sys::fs::status(path, status, /*Follow=*/false) &&
         status.type() == llvm::sys::fs::file_type::regular_file;
}

TEST_F(Jit, FifoEntryIsReportedNotWaitedOn) {
  std::string entry = entryPathOf(smallDesc(), cacheDir);
  ASSERT_EQ(::unlink(entry.c_str()), 0);
  ASSERT_EQ(::mkfifo(entry.c_str(), 0600), 0);
  // Opening a FIFO to read blocks until a writer comes: compile() must not.
  auto kernel = jit::compile(smallDesc());
  ASSERT_TRUE(kernel.ok()) << kernel.status().message();
  EXPECT_EQ((*kernel)->origin(), jit::Origin::Compiled);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0], "unusable cache entry: cannot read '" + entry +
                            "': it is a FIFO, not a regular file; ignoring it "
                            "and rebuilding");
  // The rebuilt entry replaced the FIFO.
  EXPECT_TRUE(isRegularFile(entry));
}

TEST_F(Jit, LinkToDevZeroIsNeverRead) {
  std::string entry = entryPathOf(smallDesc(), cacheDir);
  ASSERT_EQ(::unlink(entry.c_str()), 0);
  ASSERT_EQ(::symlink("/dev/zero", entry.c_str()), 0);
  auto kernel = jit::compile(smallDesc());
  ASSERT_TRUE(kernel.ok()) << kernel.status().message();
  EXPECT_EQ((*kernel)->origin(), jit::Origin::Compiled);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_CONTAINS(reports[0], "it is a character device, not a regular file");
  EXPECT_TRUE(isRegularFile(entry)) << "the link was replaced";
}

TEST_F(Jit, HugeEntryIsNotReadIntoMemory) {
  std::string entry = entryPathOf(smallDesc(), cacheDir);
  // A sparse file past the limit: no disk space, and never read.
  ASSERT_EQ(
      ::truncate(entry.c_str(), off_t(jit::DiskCache::kMaxEntryBytes) + 1), 0);
  auto kernel = jit::compile(smallDesc());
  ASSERT_TRUE(kernel.ok()) << kernel.status().message();
  EXPECT_EQ((*kernel)->origin(), jit::Origin::Compiled);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_CONTAINS(reports[0], "it holds 268435457 bytes, more than the "
                              "268435456 this reader accepts");
}

TEST_F(Jit, EntryCopiedUnderAnotherKeyIsNeverLoaded) {
  jit::AttentionDesc small = smallDesc(), large = smallDesc();
  small.seqLen = 128;
  large.seqLen = 256;
  std::string smallEntry = entryPathOf(small, cacheDir);
  std::string largeEntry = entryPathOf(large, cacheDir);
  // A sound entry, but made for N = 256, under N = 128's name.
  writeAll(smallEntry, readAll(largeEntry));
  auto kernel = jit::compile(small);
  ASSERT_TRUE(kernel.ok()) << kernel.status().message();
  EXPECT_EQ((*kernel)->origin(), jit::Origin::Compiled);
  EXPECT_EQ((*kernel)->problem().seqLenQ, 128);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0],
            "damaged cache entry '" + smallEntry +
                "': made for another request (its compiler version, options "
                "or input differ from this one's); it was copied or renamed "
                "under this key; ignoring it and rebuilding");
  // The entry is N = 128's again.
  jit::clearInProcessCache();
  auto again = jit::compile(small);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->origin(), jit::Origin::DiskCache);
  EXPECT_EQ((*again)->problem().seqLenQ, 128);
}

TEST_F(Jit, EmptyDirectoryInAnEntrysPlaceIsRemoved) {
  std::string entry = entryPathOf(smallDesc(), cacheDir);
  ASSERT_EQ(::unlink(entry.c_str()), 0);
  ASSERT_EQ(::mkdir(entry.c_str(), 0700), 0);
  auto kernel = jit::compile(smallDesc());
  ASSERT_TRUE(kernel.ok()) << kernel.status().message();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0],
            "cache entry '" + entry + "' was an empty directory; removed it");
  EXPECT_TRUE(isRegularFile(entry));
  jit::clearInProcessCache();
  auto again = jit::compile(smallDesc());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->origin(), jit::Origin::DiskCache) << "cached again";
}

TEST_F(Jit, FullDirectoryInAnEntrysPlaceIsReportedOnce) {
  std::string entry = entryPathOf(smallDesc(), cacheDir);
  ASSERT_EQ(::unlink(entry.c_str()), 0);
  ASSERT_EQ(::mkdir(entry.c_str(), 0700), 0);
  writeAll(entry + "/something", "x");
  for (int i = 0; i < 2; ++i) {
    jit::clearInProcessCache();
    auto kernel = jit::compile(smallDesc());
    ASSERT_TRUE(kernel.ok()) << kernel.status().message();
    EXPECT_EQ((*kernel)->origin(), jit::Origin::Compiled);
  }
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0], "cache entry '" + entry +
                            "' is a directory that is not empty; this kernel "
                            "is not cached until it is removed");
  EXPECT_EQ(readAll(entry + "/something"), "x") << "left alone";
}

TEST_F(Jit, UnwritableCacheIsReportedAndCompiles) {
  // A regular file where the directory should be.
  std::string blocker = cacheDir + "/file";
  writeAll(blocker, "x");
  ::setenv("ATTN_CACHE_DIR", (blocker + "/cache").c_str(), 1);
  auto kernel = jit::compile(smallDesc());
  ASSERT_TRUE(kernel.ok()) << kernel.status().message();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_CONTAINS(reports[0], "cannot write cache entry");
}

TEST_F(Jit, ThreadsCompilingOneKeyShareOneKernel) {
  std::shared_ptr<const jit::Kernel> results[2];
  std::thread threads[2];
  for (int i = 0; i < 2; ++i)
    threads[i] = std::thread([&results, i] {
      auto kernel = jit::compile(smallDesc());
      if (kernel.ok())
        results[i] = kernel.take();
    });
  for (std::thread &thread : threads)
    thread.join();
  ASSERT_TRUE(results[0] && results[1]);
  EXPECT_EQ(results[0], results[1]);
  EXPECT_EQ(filesIn(cacheDir).size(), 1u);
}

TEST_F(Jit, ProcessesRacingOnOneKeyBothSucceedAndLeaveOneEntry) {
  // attn-cache-bench --child compiles the default bench problem once with
  // the cache of ATTN_CACHE_DIR (inherited from this process).
  std::string program = ATTN_CACHE_BENCH;
  std::string outputs[2] = {cacheDir + "/../race-out-0",
                            cacheDir + "/../race-out-1"};
  llvm::StringRef args[] = {program, "--child", "1",       "2",
                            "256",   "64",      "--dtype", "f16"};
  llvm::sys::ProcessInfo children[2];
  for (int i = 0; i < 2; ++i) {
    std::optional<llvm::StringRef> redirects[] = {
        std::nullopt, llvm::StringRef(outputs[i]), llvm::StringRef(outputs[i])};
    std::string error;
    children[i] = llvm::sys::ExecuteNoWait(program, args, std::nullopt,
                                           redirects, 0, &error);
    ASSERT_NE(children[i].Pid, llvm::sys::ProcessInfo::InvalidPid) << error;
  }
  for (int i = 0; i < 2; ++i) {
    llvm::sys::ProcessInfo done =
        llvm::sys::Wait(children[i], /*SecondsToWait=*/std::nullopt);
    std::string output = readAll(outputs[i]);
    llvm::sys::fs::remove(outputs[i]);
    EXPECT_EQ(done.ReturnCode, 0) << output;
    EXPECT_CONTAINS(output, "origin=") << output;
  }
  // One entry, whole, and no temporary file left behind.
  std::vector<std::string> files = filesIn(cacheDir);
  ASSERT_EQ(files.size(), 1u)
      << files.size() << " files, first " << (files.empty() ? "" : files[0]);
  // Sound (header, lengths, checksum): only the key material, which this
  // test does not know, is left to differ.
  std::string why;
  EXPECT_FALSE(
      jit::DiskCache::decode(readAll(cacheDir + "/" + files[0]), "", why));
  EXPECT_CONTAINS(why, "made for another request");
  EXPECT_TRUE(reports.empty());
}

//===----------------------------------------------------------------------===//
// Launch checks (no GPU needed: they come before any driver call)
//===----------------------------------------------------------------------===//

class JitLaunch : public Jit {
protected:
  void SetUp() override {
    Jit::SetUp();
    auto compiled = jit::compile(smallDesc()); // [1, 2, 64, 64] f16
    ASSERT_TRUE(compiled.ok()) << compiled.status().message();
    kernel = compiled.take();
  }

  std::string check(const jit::TensorRef &q,
                    const jit::TensorRef *lse = nullptr) {
    rt::Status status = kernel->checkTensors(q, good, good, good, lse);
    return status.ok() ? "ok" : status.message();
  }

  std::shared_ptr<const jit::Kernel> kernel;
  jit::TensorRef good{uint64_t(0x7f0000000000)};
};

TEST_F(JitLaunch, NullPointersAreRefused) {
  EXPECT_EQ(check(jit::TensorRef(nullptr)), "q: null device pointer");
  rt::Status status = kernel->checkTensors(good, good, good, {}, nullptr);
  EXPECT_EQ(status.message(), "o: null device pointer");
  EXPECT_EQ(kernel->launch(good, nullptr, good, good).message(),
            "k: null device pointer");
}

TEST_F(JitLaunch, MisalignedPointersAreRefused) {
  EXPECT_CONTAINS(check(jit::TensorRef(uint64_t(0x7f0000000002))),
                  "q: address 0x7f0000000002 is not 16-byte aligned");
}

TEST_F(JitLaunch, StridesMustBePacked) {
  EXPECT_EQ(check(jit::TensorRef(good.address, {}, {8192, 4096, 64, 1})), "ok");
  // Extent-1 dimensions (B here) may have any stride.
  EXPECT_EQ(check(jit::TensorRef(good.address, {}, {1, 4096, 64, 1})), "ok");
  // [B, N, H, D] memory seen as [B, H, N, D]: H and N strides swapped.
  EXPECT_EQ(
      check(jit::TensorRef(good.address, {}, {8192, 64, 128, 1})),
      "q: strides [8192,64,128,1] are not the packed row-major layout of q "
      "[B,H,Nq,D] = [1,2,64,64] (strides [8192,4096,64,1]); dimension 1 has "
      "stride 64 where 4096 is needed. The kernels read that layout only: "
      "make a contiguous copy first");
  EXPECT_CONTAINS(check(jit::TensorRef(good.address, {}, {4096, 64, 1})),
                  "q: 3 strides given for the rank-4 tensor");
  // A shape other than the compiled one is refused too.
  EXPECT_EQ(check(jit::TensorRef(good.address, {1, 2, 65, 64})),
            "q: shape [1,2,65,64] is not q [B,H,Nq,D] = [1,2,64,64], the "
            "shape the kernels were compiled for");
}

TEST_F(JitLaunch, LseMustMatchTheKernel) {
  jit::TensorRef lse(uint64_t(0x7f0000100000));
  EXPECT_CONTAINS(check(good, &lse),
                  "lse: given, but this kernel was compiled without");
  jit::AttentionDesc desc = smallDesc();
  desc.lse = true;
  auto withLse = jit::compile(desc);
  ASSERT_TRUE(withLse.ok()) << withLse.status().message();
  EXPECT_CONTAINS(
      (*withLse)->checkTensors(good, good, good, good, nullptr).message(),
      "lse: this kernel writes the logsumexp");
  EXPECT_TRUE((*withLse)->checkTensors(good, good, good, good, &lse).ok());
  jit::TensorRef badLse(lse.address, {}, {128, 1, 1});
  EXPECT_CONTAINS(
      (*withLse)->checkTensors(good, good, good, good, &badLse).message(),
      "lse: strides [128,1,1] are not the packed row-major layout "
      "of lse [B,H,Nq] = [1,2,64]");
}

TEST_F(JitLaunch, WithoutAGpuLaunchSaysWhy) {
  if (jit::context().ok())
    GTEST_SKIP() << "a GPU is present";
  EXPECT_FALSE(kernel->loaded());
  rt::Status status = kernel->launch(good, good, good, good);
  EXPECT_TRUE(status.isUnavailable());
  EXPECT_CONTAINS(status.message(),
                  "cannot launch: the kernel is not loaded on a GPU: ");
}

TEST_F(Jit, BackwardDescriptionsAreChecked) {
  jit::AttentionDesc desc = smallDesc();
  desc.direction = jit::Direction::Backward;
  desc.sizes = jit::Sizes::AtLaunch;
  EXPECT_CONTAINS(errorOf(desc), "direction Backward needs sizes = "
                                 "Sizes::Compiled");
  desc = smallDesc();
  desc.direction = jit::Direction::Backward;
  desc.kvHeads = 1;
  EXPECT_CONTAINS(errorOf(desc), "direction Backward takes kvHeads = heads "
                                 "and seqLenK = seqLen (or 0), so far; got "
                                 "kvHeads 1, seqLenK 0");
  desc.kvHeads = 0;
  desc.windowLeft = 8;
  EXPECT_CONTAINS(errorOf(desc), "sliding windows are forward only");
}

// The default tuning leaves the stages to the compiler: the backward's
// D = 128 tiles fit in an H100's shared memory once, not twice (found on
// the GPU: Tuning::numStages defaulted to 2 and the compile failed).
TEST_F(Jit, BackwardOfHeadDim128CompilesWithTheDefaults) {
  jit::AttentionDesc desc = smallDesc();
  desc.elementType = jit::ElementType::BF16;
  desc.headDim = 128;
  desc.seqLen = 1000;
  desc.causal = true;
  desc.direction = jit::Direction::Backward;
  desc.chip = "sm_90";
  for (jit::Pipeline pipeline :
       {jit::Pipeline::Fused, jit::Pipeline::Unfused}) {
    desc.pipeline = pipeline;
    auto kernel = jit::compile(desc);
    EXPECT_TRUE(kernel.ok()) << kernel.status().message();
  }
  EXPECT_EQ(jit::Tuning().numStages, 0);
}

TEST_F(JitLaunch, BackwardKernelsLaunchOnlyAsTheBackward) {
  jit::AttentionDesc desc = smallDesc();
  desc.direction = jit::Direction::Backward;
  desc.causal = true;
  auto backward = jit::compile(desc);
  ASSERT_TRUE(backward.ok()) << backward.status().message();
  const rt::Problem &p = (*backward)->problem();
  EXPECT_EQ(p.direction, rt::Direction::Backward);
  EXPECT_TRUE(p.lse);
  // δ, dK/dV with dQ by atomics, dQ's conversion; P recomputed.
  EXPECT_EQ((*backward)->manifest().kernels.size(), 3u);
  EXPECT_NE(backward->get(), kernel.get());
  EXPECT_CONTAINS(
      (*backward)->checkTensors(good, good, good, good, nullptr).message(),
      "this kernel computes the gradient (Direction::Backward): "
      "launch it with launchBackward()");
  jit::TensorRef lse(uint64_t(0x7f0000100000));
  jit::BackwardTensors tensors{good, good, good, good, good,
                               lse,  good, good, good};
  EXPECT_TRUE((*backward)->checkBackwardTensors(tensors).ok());
  tensors.gradKey = jit::TensorRef(nullptr);
  EXPECT_EQ((*backward)->checkBackwardTensors(tensors).message(),
            "dk: null device pointer");
  tensors.gradKey = good;
  tensors.lse = jit::TensorRef(lse.address, {1, 2, 65});
  EXPECT_CONTAINS((*backward)->checkBackwardTensors(tensors).message(),
                  "lse: shape [1,2,65] is not lse [B,H,Nq] = [1,2,64]");
  tensors.lse = lse;
  EXPECT_CONTAINS(kernel->checkBackwardTensors(tensors).message(),
                  "this kernel computes the forward: launchBackward() needs "
                  "one compiled with direction = Direction::Backward");
  if (!jit::context().ok())
    EXPECT_CONTAINS((*backward)->launchBackward(tensors).message(),
                    "cannot launch: the kernel is not loaded on a GPU");
}

//===----------------------------------------------------------------------===//
// Sizes known at launch (the default)
//===----------------------------------------------------------------------===//

TEST_F(Jit, OneKernelServesEveryLength) {
  jit::AttentionDesc desc;
  desc.elementType = jit::ElementType::BF16;
  desc.headDim = 64;
  desc.causal = true;
  EXPECT_EQ(desc.sizes, jit::Sizes::AtLaunch);
  EXPECT_CONTAINS(jit::toMlir(desc), "tensor<?x?x?x64xbf16>");
  jit::CompileCounts before = jit::compileCounts();
  std::shared_ptr<const jit::Kernel> first;
  for (int64_t n : {1, 17, 1000, 4096, 12345}) {
    desc.batch = n == 1 ? 8 : 2;
    desc.heads = 4;
    desc.seqLen = n;
    auto kernel = jit::compile(desc);
    ASSERT_TRUE(kernel.ok()) << kernel.status().message();
    if (!first)
      first = *kernel;
    EXPECT_EQ(kernel->get(), first.get()) << "N = " << n;
  }
  jit::CompileCounts after = jit::compileCounts();
  EXPECT_EQ(after.compiled - before.compiled, 1u);
  EXPECT_EQ(after.memoryHits - before.memoryHits, 4u);
  EXPECT_TRUE(first->manifest().isDynamic());
  EXPECT_EQ(first->problem().seqLenQ, rt::kDynamicSize);
  // Grouped-query heads and other lengths of keys: the same kernel too.
  desc.kvHeads = 2;
  desc.seqLenK = 333;
  auto gqa = jit::compile(desc);
  ASSERT_TRUE(gqa.ok()) << gqa.status().message();
  EXPECT_EQ(gqa->get(), first.get());
  // Compiled sizes are a kernel of their own.
  desc.sizes = jit::Sizes::Compiled;
  auto fixed = jit::compile(desc);
  ASSERT_TRUE(fixed.ok()) << fixed.status().message();
  EXPECT_NE(fixed->get(), first.get());
  EXPECT_EQ((*fixed)->problem().kvHeads, 2);
  EXPECT_EQ((*fixed)->problem().seqLenK, 333);
  EXPECT_EQ(jit::compileCounts().compiled - before.compiled, 2u);
}

TEST_F(Jit, GroupedQueryDescriptionsAreChecked) {
  jit::AttentionDesc desc = smallDesc();
  desc.heads = 6;
  desc.kvHeads = 4;
  EXPECT_EQ(errorOf(desc), "H = 6 is not a multiple of Hkv = 4; each K/V "
                           "head serves a whole group of query heads");
  desc = smallDesc();
  desc.seqLenK = -1;
  EXPECT_EQ(errorOf(desc), "seqLenK (Nk) is -1; it must be at least 0 (0: the "
                           "query side's)");
}

TEST_F(Jit, SlidingWindowsAreCompiledAndKeyed) {
  jit::AttentionDesc desc = smallDesc();
  desc.causal = true;
  desc.windowLeft = 64;
  auto windowed = jit::compile(desc);
  ASSERT_TRUE(windowed.ok()) << windowed.status().message();
  EXPECT_EQ((*windowed)->problem().windowLeft, 64);
  EXPECT_EQ((*windowed)->problem().windowRight, -1);
  EXPECT_NE((*windowed)->ptx().find("window=64,-1"), std::string::npos);
  desc.windowLeft = 65;
  auto other = jit::compile(desc);
  ASSERT_TRUE(other.ok()) << other.status().message();
  EXPECT_NE(other->get(), windowed->get());
  desc.windowLeft = -2;
  EXPECT_EQ(errorOf(desc), "window is (-2, -1); each side must be at least 0, "
                           "or -1 for unbounded");
}

TEST_F(Jit, DecodingSplitsItsKeys) {
  // One query against 4096 keys with grouped-query heads: the compiler
  // splits the keys (a second kernel combines them) unless told not to, and
  // the split is part of the cache key.
  jit::AttentionDesc desc = smallDesc();
  desc.heads = 8, desc.kvHeads = 2, desc.seqLen = 1, desc.seqLenK = 4096;
  desc.causal = true;
  auto split = jit::compile(desc);
  ASSERT_TRUE(split.ok()) << split.status().message();
  ASSERT_EQ((*split)->manifest().kernels.size(), 2u);
  EXPECT_EQ((*split)->manifest().kernels[1].name, "attn_fwd_combine");
  EXPECT_GT((*split)->workspaceBytes(), 0u);
  desc.tuning.splitKeys = 0;
  auto whole = jit::compile(desc);
  ASSERT_TRUE(whole.ok()) << whole.status().message();
  EXPECT_EQ((*whole)->manifest().kernels.size(), 1u);
  EXPECT_NE(whole->get(), split->get());
  desc.tuning.splitKeys = 1000;
  EXPECT_CONTAINS(errorOf(desc), "split-keys=1000");
}

class JitLaunchAtLaunch : public Jit {
protected:
  void SetUp() override {
    Jit::SetUp();
    jit::AttentionDesc desc;
    desc.headDim = 64;
    auto compiled = jit::compile(desc);
    ASSERT_TRUE(compiled.ok()) << compiled.status().message();
    kernel = compiled.take();
  }

  std::string check(const jit::TensorRef &q, const jit::TensorRef &k,
                    const jit::TensorRef &v, const jit::TensorRef &o) {
    rt::Status status = kernel->checkTensors(q, k, v, o, nullptr);
    return status.ok() ? "ok" : status.message();
  }

  std::shared_ptr<const jit::Kernel> kernel;
  static constexpr uint64_t q = 0x7f0000000000, k = 0x7f1000000000,
                            v = 0x7f2000000000, o = 0x7f3000000000;
};

TEST_F(JitLaunchAtLaunch, SizesComeFromTheShapes) {
  // O's and V's shapes may be left out: Q's and K's.
  EXPECT_EQ(check({q, {2, 8, 1000, 64}}, {k, {2, 2, 333, 64}}, {v}, {o}), "ok");
  EXPECT_EQ(check({q}, {k, {2, 2, 333, 64}}, {v}, {o}),
            "q: no shape given; the kernels were compiled for sizes known at "
            "launch, which they take from the tensors' shapes [B,H,Nq,D]");
  EXPECT_EQ(check({q, {2, 8, 1000, 64}}, {k, {2, 2, 333, 64}},
                  {v, {2, 2, 334, 64}}, {o}),
            "v: shape [2,2,334,64] has Nk = 334 where k has Nk = 333");
  EXPECT_EQ(check({q, {2, 8, 1000, 128}}, {k, {2, 2, 333, 128}}, {v}, {o}),
            "q: shape [2,8,1000,128] has D = 128 where the kernels were "
            "compiled for D = 64");
  EXPECT_EQ(check({q, {2, 6, 10, 64}}, {k, {2, 4, 10, 64}}, {v}, {o}),
            "the tensors' sizes: H = 6 is not a multiple of Hkv = 4; each K/V "
            "head serves a whole group of query heads");
}

TEST_F(JitLaunchAtLaunch, AnyStridesWithTheLastContiguous) {
  // [B, N, H, D] memory: the layout of a fused QKV projection.
  std::vector<int64_t> bnhd = {1000 * 8 * 64, 64, 8 * 64, 1};
  EXPECT_EQ(check({q, {2, 8, 1000, 64}, bnhd}, {k, {2, 8, 1000, 64}, bnhd},
                  {v, {}, bnhd}, {o, {}, bnhd}),
            "ok");
  // A slice of a larger buffer: rows 2176 elements apart.
  EXPECT_EQ(check({q, {1, 4, 100, 64}, {4 * 100 * 2176, 100 * 2176, 2176, 1}},
                  {k, {1, 4, 100, 64}}, {v}, {o}),
            "ok");
  EXPECT_EQ(check({q, {1, 4, 100, 64}, {25600, 6400, 65, 1}},
                  {k, {1, 4, 100, 64}}, {v}, {o}),
            "q: stride 65 of dimension 2 (Nq) is not a positive multiple of 16 "
            "bytes; the kernels access its rows with 16-byte vector loads and "
            "tensor maps");
}

TEST_F(Jit, PackedSequenceDescriptionsAreCheckedAndKeyed) {
  jit::AttentionDesc desc = smallDesc();
  desc.sequences = -1;
  EXPECT_CONTAINS(errorOf(desc), "sequences (S) is -1; it must be at least 1");
  desc.sequences = 3;
  desc.batch = 2;
  EXPECT_CONTAINS(errorOf(desc), "packed sequences are one batch along N");
  desc.batch = 1;
  EXPECT_NE(jit::toMlir(desc).find("sequences(%cu_q, %cu_k)"),
            std::string::npos);
  EXPECT_NE(jit::toMlir(desc).find("tensor<4xi32>"), std::string::npos);
  auto packed = jit::compile(desc);
  ASSERT_TRUE(packed.ok()) << packed.status().message();
  EXPECT_EQ((*packed)->problem().sequences, 3);
  // Not the dense kernel of the same sizes.
  auto dense = jit::compile(smallDesc());
  ASSERT_TRUE(dense.ok()) << dense.status().message();
  EXPECT_NE((*packed)->key(), (*dense)->key());
  // At launch: one kernel for every S.
  desc.sizes = jit::Sizes::AtLaunch;
  EXPECT_NE(jit::toMlir(desc).find("tensor<?xi32>"), std::string::npos);
  auto any = jit::compile(desc);
  desc.sequences = 70000;
  auto many = jit::compile(desc);
  ASSERT_TRUE(any.ok() && many.ok());
  EXPECT_EQ(any->get(), many->get());
  EXPECT_EQ((*any)->problem().sequences, rt::kDynamicSize);
}

class JitLaunchSequences : public JitLaunchAtLaunch {
protected:
  void SetUp() override {
    Jit::SetUp();
    jit::AttentionDesc desc;
    desc.headDim = 64;
    desc.sequences = 1;
    auto compiled = jit::compile(desc);
    ASSERT_TRUE(compiled.ok()) << compiled.status().message();
    kernel = compiled.take();
  }

  std::string check(const jit::ForwardTensors &t) {
    rt::Status status = kernel->checkTensors(t);
    return status.ok() ? "ok" : status.message();
  }

  static constexpr uint64_t cuQ = 0x7f4000000000, cuK = 0x7f5000000000;
};

TEST_F(JitLaunchSequences, OffsetsAreNeededAndGiveS) {
  // [total, H, D] as flash_attn_varlen_func takes it: [1, N, H, D] strides.
  std::vector<int64_t> q1 = {1, 4, 1000, 64}, k1 = {1, 2, 700, 64};
  std::vector<int64_t> ntd = {1000 * 4 * 64, 64, 4 * 64, 1};
  EXPECT_EQ(check({{q, q1, ntd}, {k, k1}, {v}, {o}, {}, {cuQ, {17}}, {cuK}}),
            "ok");
  EXPECT_EQ(check({{q, q1}, {k, k1}, {v}, {o}, {}, {}, {cuK, {17}}}),
            "queryOffsets: this kernel packs sequences (AttentionDesc::"
            "sequences); pass their i32 [S+1] offsets");
  EXPECT_EQ(check({{q, q1}, {k, k1}, {v}, {o}, {}, {cuQ, {17}}, {cuK, {9}}}),
            "cu_k: shape [9] has S = 8 where cu_q has S = 16");
  EXPECT_EQ(check({{q, q1}, {k, k1}, {v}, {o}, {}, {cuQ, {1}}, {cuK}}),
            "cu_q: shape [1] has S = 0; S + 1 offsets of at least one "
            "sequence");
  EXPECT_CONTAINS(check({{q, {2, 4, 1000, 64}},
                         {k, {2, 2, 700, 64}},
                         {v},
                         {o},
                         {},
                         {cuQ, {17}},
                         {cuK}}),
                  "packed sequences (S) need a forward problem of B = 1");
  // A dense kernel refuses offsets.
  jit::AttentionDesc desc;
  desc.headDim = 64;
  auto plain = jit::compile(desc);
  ASSERT_TRUE(plain.ok());
  EXPECT_CONTAINS(
      (*plain)
          ->checkTensors({{q, q1}, {k, k1}, {v}, {o}, {}, {cuQ, {17}}, {}})
          .message(),
      "queryOffsets: given, but this kernel takes a dense batch");
}

//===----------------------------------------------------------------------===//
// Debugging switches
//===----------------------------------------------------------------------===//

/// Every file under `dir`, as paths relative to it, sorted.
std::vector<std::string> treeOf(const std::string &dir) {
  std::vector<std::string> paths;
  std::error_code error;
  for (llvm::sys::fs::recursive_directory_iterator it(dir, error), end;
       !error && it != end; it.increment(error))
    if (it->type() == llvm::sys::fs::file_type::regular_file)
      paths.push_back(it->path().substr(dir.size() + 1)); // without "<dir>/"
  std::sort(paths.begin(), paths.end());
  return paths;
}

TEST_F(Jit, DumpDirHoldsTheIrAfterEveryPassThatChangedItAndThePtx) {
  std::string dump = cacheDir + "/dump";
  ::setenv("ATTN_DUMP_DIR", dump.c_str(), 1);
  ::testing::internal::CaptureStderr();
  auto kernel = jit::compile(smallDesc());
  std::string err = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(kernel.ok()) << kernel.status().message();
  EXPECT_CONTAINS(err, "attn: dumped the IR after each pass");
  std::vector<std::string> dirs = filesIn(dump);
  ASSERT_EQ(dirs.size(), 1u);
  EXPECT_EQ(llvm::StringRef(dirs[0]).substr(0, 6), "fused-");
  std::string root = dump + "/" + dirs[0];
  std::vector<std::string> files = treeOf(root);
  // MLIR's file tree: a directory per op the passes ran on (the module,
  // and what passes nest on), files named <number>_<pass>.mlir in execution
  // order.
  auto fileOf = [&](const std::string &pass) -> std::string {
    std::string found;
    for (const std::string &file : files)
      if (llvm::StringRef(file).ends_with("_" + pass + ".mlir")) {
        EXPECT_TRUE(found.empty())
            << pass << " twice: " << found << ", " << file;
        found = file;
      }
    EXPECT_FALSE(found.empty()) << "no file for " << pass;
    return found;
  };
  const char *const module = "builtin_module_no-symbol-name/";
  std::string tiled = fileOf("attn-tile");
  EXPECT_EQ(llvm::StringRef(tiled).substr(0, strlen(module)), module);
  fileOf("attn-fuse-online-softmax");
  fileOf("attn-convert-tile-to-gpu");
  fileOf("convert-gpu-to-nvvm");
  for (const std::string &file : files) {
    llvm::StringRef name = llvm::sys::path::filename(file);
    if (name != "input.mlir" && name != "final.ptx") {
      EXPECT_TRUE(!name.empty() && std::isdigit((unsigned char)name[0]))
          << file;
    }
  }
  EXPECT_EQ(readAll(root + "/final.ptx"), (*kernel)->ptx());
  EXPECT_EQ(readAll(root + "/input.mlir"), jit::toMlir(smallDesc()));
  EXPECT_NE(readAll(root + "/" + tiled).find("tile."), std::string::npos);
  // Only passes that changed the IR leave a file: no two are the same.
  std::set<std::string> contents;
  for (const std::string &file : files)
    EXPECT_TRUE(contents.insert(readAll(root + "/" + file)).second)
        << file << " repeats another file";
  // Dumping compiles afresh: nothing was cached.
  EXPECT_EQ(filesIn(cacheDir), std::vector<std::string>{"dump"});
}

TEST_F(Jit, PassTimingIsPrinted) {
  ::setenv("ATTN_PASS_TIMING", "1", 1);
  ::testing::internal::CaptureStderr();
  auto kernel = jit::compile(smallDesc());
  std::string err = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(kernel.ok()) << kernel.status().message();
  EXPECT_CONTAINS(err, "Execution time report");
  EXPECT_CONTAINS(err, "AttnTile");
}

//===----------------------------------------------------------------------===//
// On a GPU
//===----------------------------------------------------------------------===//

TEST_F(Jit, LaunchMatchesTheReferenceOnAGpu) {
  auto ctx = jit::context();
  if (!ctx.ok())
    GTEST_SKIP() << ctx.status().message();
  rt::Context &context = **ctx;
  jit::AttentionDesc desc = smallDesc(); // the device's chip
  desc.causal = true;
  for (auto [pipeline, window] : {std::pair{jit::Pipeline::Fused, int64_t(-1)},
                                  {jit::Pipeline::Unfused, int64_t(-1)},
                                  {jit::Pipeline::Fused, int64_t(40)}}) {
    desc.pipeline = pipeline;
    desc.windowLeft = window;
    auto kernel = jit::compile(desc);
    ASSERT_TRUE(kernel.ok()) << kernel.status().message();
    ASSERT_TRUE((*kernel)->loaded());
    const rt::Problem &p = (*kernel)->problem();
    int64_t n = p.elements(rt::TensorRole::Q);
    std::vector<float> host[3];
    std::vector<uint16_t> bits(static_cast<size_t>(n));
    rt::DeviceBuffer buffers[4];
    for (int t = 0; t < 4; ++t) {
      auto buffer = rt::DeviceBuffer::allocate(context, size_t(n) * 2, "t");
      ASSERT_TRUE(buffer.ok()) << buffer.status().message();
      buffers[t] = buffer.take();
      if (t == 3)
        continue;
      host[t].resize(size_t(n));
      for (int64_t i = 0; i < n; ++i)
        host[t][size_t(i)] =
            rt::roundTo(rt::DType::F16, float(std::sin(0.37 * i + t)));
      rt::encode(rt::DType::F16, host[t].data(), n, bits.data());
      ASSERT_TRUE(buffers[t].upload(bits.data(), size_t(n) * 2).ok());
    }
    rt::Status status =
        (*kernel)->launch(buffers[0].pointer(), buffers[1].pointer(),
                          buffers[2].pointer(), buffers[3].pointer());
    ASSERT_TRUE(status.ok()) << status.message();
    ASSERT_TRUE(context.synchronize("the JIT test").ok());
    ASSERT_TRUE(buffers[3].download(bits.data(), size_t(n) * 2).ok());
    std::vector<float> out(static_cast<size_t>(n));
    rt::decode(rt::DType::F16, bits.data(), n, out.data());
    double diff = 0, ref = 0, lse = 0;
    std::vector<double> row(static_cast<size_t>(p.headDim)), scratch;
    for (int64_t head = 0; head < p.batch * p.heads; ++head)
      for (int64_t r = 0; r < p.seqLenQ; ++r) {
        rt::referenceRow(p, host[0].data(), host[1].data(), host[2].data(),
                         head, r, row.data(), lse, scratch);
        for (int64_t c = 0; c < p.headDim; ++c) {
          double d = out[size_t((head * p.seqLenQ + r) * p.headDim + c)] -
                     row[size_t(c)];
          diff += d * d, ref += row[size_t(c)] * row[size_t(c)];
        }
      }
    EXPECT_LT(std::sqrt(diff / ref), 2e-3);
  }
}

TEST_F(Jit, PackedSequencesMatchTheReferenceOnAGpu) {
  auto ctx = jit::context();
  if (!ctx.ok())
    GTEST_SKIP() << ctx.status().message();
  rt::Context &context = **ctx;
  // One kernel of sizes known at launch; three sequences (one empty, one
  // with fewer keys than queries), GQA 4/2, causal, [total, H, D] strides.
  jit::AttentionDesc desc;
  desc.headDim = 64;
  desc.sequences = 1;
  desc.causal = true;
  desc.lse = true;
  auto kernel = jit::compile(desc);
  ASSERT_TRUE(kernel.ok()) << kernel.status().message();
  ASSERT_TRUE((*kernel)->loaded());
  const std::vector<int32_t> cuQ = {0, 100, 100, 137}, cuK = {0, 50, 70, 150};
  rt::Problem p = (*kernel)->problem();
  p.batch = 1, p.heads = 4, p.kvHeads = 2, p.seqLenQ = 137, p.seqLenK = 150;
  p.sequences = 3;
  const int64_t d = p.headDim;
  std::vector<float> host[3];
  rt::DeviceBuffer buffers[7];
  int64_t rows[4] = {p.seqLenQ, p.seqLenK, p.seqLenK, p.seqLenQ};
  int64_t heads[4] = {p.heads, p.kvHeads, p.kvHeads, p.heads};
  for (int t = 0; t < 4; ++t) {
    int64_t n = rows[t] * heads[t] * d;
    auto buffer = rt::DeviceBuffer::allocate(context, size_t(n) * 2, "t");
    ASSERT_TRUE(buffer.ok()) << buffer.status().message();
    buffers[t] = buffer.take();
    if (t == 3)
      continue;
    // Packed [1, H, N, D] for the reference; [N, H, D] on the device.
    host[t].resize(size_t(n));
    std::vector<float> device(static_cast<size_t>(n));
    for (int64_t h = 0; h < heads[t]; ++h)
      for (int64_t r = 0; r < rows[t]; ++r)
        for (int64_t c = 0; c < d; ++c) {
          float x =
              rt::roundTo(rt::DType::F16,
                          float(std::sin(0.37 * (r * 131 + h * 17 + c) + t)));
          host[t][size_t((h * rows[t] + r) * d + c)] = x;
          device[size_t((r * heads[t] + h) * d + c)] = x;
        }
    std::vector<uint16_t> bits(static_cast<size_t>(n));
    rt::encode(rt::DType::F16, device.data(), n, bits.data());
    ASSERT_TRUE(buffers[t].upload(bits.data(), size_t(n) * 2).ok());
  }
  size_t lseBytes = size_t(p.heads * p.seqLenQ) * 4;
  for (auto [i, bytes] :
       {std::pair{4, lseBytes}, {5, cuQ.size() * 4}, {6, cuK.size() * 4}}) {
    auto buffer = rt::DeviceBuffer::allocate(context, bytes, "t");
    ASSERT_TRUE(buffer.ok()) << buffer.status().message();
    buffers[i] = buffer.take();
  }
  ASSERT_TRUE(buffers[5].upload(cuQ.data(), cuQ.size() * 4).ok());
  ASSERT_TRUE(buffers[6].upload(cuK.data(), cuK.size() * 4).ok());
  // [1, H, N, D] shapes over [N, H, D] memory.
  auto ref = [&](int t, int64_t h, int64_t n) {
    return jit::TensorRef(buffers[t].pointer(), {1, h, n, d},
                          {n * h * d, d, h * d, 1});
  };
  jit::ForwardTensors tensors{ref(0, p.heads, p.seqLenQ),
                              ref(1, p.kvHeads, p.seqLenK),
                              ref(2, p.kvHeads, p.seqLenK),
                              ref(3, p.heads, p.seqLenQ),
                              {buffers[4].pointer(), {1, p.heads, p.seqLenQ}},
                              {buffers[5].pointer(), {4}},
                              {buffers[6].pointer(), {4}}};
  rt::Status status = (*kernel)->launch(tensors);
  ASSERT_TRUE(status.ok()) << status.message();
  ASSERT_TRUE(context.synchronize("the JIT test").ok());
  int64_t n = p.heads * p.seqLenQ * d;
  std::vector<uint16_t> bits(static_cast<size_t>(n));
  ASSERT_TRUE(buffers[3].download(bits.data(), size_t(n) * 2).ok());
  std::vector<float> out(static_cast<size_t>(n)),
      lse(size_t(p.heads * p.seqLenQ));
  rt::decode(rt::DType::F16, bits.data(), n, out.data());
  ASSERT_TRUE(buffers[4].download(lse.data(), lseBytes).ok());
  double diff = 0, norm = 0, refLse = 0;
  std::vector<double> row(static_cast<size_t>(d)), scratch;
  for (int64_t h = 0; h < p.heads; ++h)
    for (int64_t r = 0; r < p.seqLenQ; ++r) {
      rt::referencePackedRow(p, cuQ.data(), cuK.data(), host[0].data(),
                             host[1].data(), host[2].data(), h, r, row.data(),
                             refLse, scratch);
      for (int64_t c = 0; c < d; ++c) {
        double e = out[size_t((r * p.heads + h) * d + c)] - row[size_t(c)];
        diff += e * e, norm += row[size_t(c)] * row[size_t(c)];
      }
      float got = lse[size_t(h * p.seqLenQ + r)];
      if (std::isinf(refLse))
        EXPECT_TRUE(std::isinf(got) && got < 0) << "head " << h << " row " << r;
      else
        EXPECT_NEAR(got, refLse, 1e-3 * std::max(1.0, std::abs(refLse)));
    }
  EXPECT_LT(std::sqrt(diff / norm), 2e-3);
}

} // namespace

//===- Problem.cpp - One attention problem, for every layer ---------------===//

#include "runtime/Problem.h"

#include <algorithm>
#include <cmath>
#include <iterator>

using namespace attn::rt;

namespace {

struct RoleInfo {
  TensorRole role;
  const char *name;
  const char *dims;
};

const RoleInfo kRoles[] = {
    {TensorRole::Q, "q", "B,H,Nq,D"},     {TensorRole::K, "k", "B,Hkv,Nk,D"},
    {TensorRole::V, "v", "B,Hkv,Nk,D"},   {TensorRole::O, "o", "B,H,Nq,D"},
    {TensorRole::Lse, "lse", "B,H,Nq"},   {TensorRole::DO, "do", "B,H,Nq,D"},
    {TensorRole::DQ, "dq", "B,H,Nq,D"},   {TensorRole::DK, "dk", "B,Hkv,Nk,D"},
    {TensorRole::DV, "dv", "B,Hkv,Nk,D"}, {TensorRole::CuQ, "cu_q", "S+1"},
    {TensorRole::CuK, "cu_k", "S+1"},
};

const char *const kFieldNames[kNumProblemFields] = {"B",  "H", "Hkv", "Nq",
                                                    "Nk", "D", "S"};

const RoleInfo &infoOf(TensorRole role) { return kRoles[int(role)]; }

Status invalid(const std::string &message) {
  return Status::error(StatusCode::InvalidArgument, message);
}

} // namespace

const char *attn::rt::nameOf(Direction direction) {
  return direction == Direction::Forward ? "forward" : "backward";
}

const char *attn::rt::nameOf(PipelineKind pipeline) {
  return pipeline == PipelineKind::Fused ? "fused" : "unfused";
}

const char *attn::rt::nameOf(TensorRole role) { return infoOf(role).name; }

const char *attn::rt::nameOf(ProblemField field) {
  return kFieldNames[int(field)];
}

std::optional<Direction> attn::rt::parseDirection(std::string_view text) {
  if (text == "forward")
    return Direction::Forward;
  if (text == "backward")
    return Direction::Backward;
  return std::nullopt;
}

std::optional<PipelineKind> attn::rt::parsePipelineKind(std::string_view text) {
  if (text == "fused")
    return PipelineKind::Fused;
  if (text == "unfused")
    return PipelineKind::Unfused;
  return std::nullopt;
}

std::optional<TensorRole> attn::rt::parseTensorRole(std::string_view text) {
  for (const RoleInfo &info : kRoles)
    if (text == info.name)
      return info.role;
  return std::nullopt;
}

std::optional<ProblemField> attn::rt::parseProblemField(std::string_view text) {
  for (int i = 0; i < int(std::size(kFieldNames)); ++i)
    if (text == kFieldNames[i])
      return ProblemField(i);
  return std::nullopt;
}

Problem Problem::attention(int64_t batch, int64_t heads, int64_t seqLen,
                           int64_t headDim, DType dtype) {
  Problem problem;
  problem.batch = batch;
  problem.heads = heads;
  problem.kvHeads = heads;
  problem.seqLenQ = seqLen;
  problem.seqLenK = seqLen;
  problem.headDim = headDim;
  problem.dtype = dtype;
  return problem;
}

bool Problem::hasDynamicSizes() const {
  for (int64_t size : {batch, heads, kvHeads, seqLenQ, seqLenK, sequences})
    if (size == kDynamicSize)
      return true;
  return false;
}

double Problem::effectiveScale() const {
  return scale ? *scale : 1.0 / std::sqrt(double(headDim));
}

int64_t Problem::field(ProblemField field) const {
  switch (field) {
  case ProblemField::B:
    return batch;
  case ProblemField::H:
    return heads;
  case ProblemField::Hkv:
    return kvHeads;
  case ProblemField::Nq:
    return seqLenQ;
  case ProblemField::Nk:
    return seqLenK;
  case ProblemField::D:
    return headDim;
  case ProblemField::S:
    return sequences;
  }
  return 0;
}

std::vector<TensorRole> Problem::roles() const {
  using R = TensorRole;
  if (direction == Direction::Backward)
    return {R::DO, R::Q, R::K, R::V, R::O, R::Lse, R::DQ, R::DK, R::DV};
  std::vector<R> roles = {R::Q, R::K, R::V};
  if (sequences)
    roles.insert(roles.end(), {R::CuQ, R::CuK});
  roles.push_back(R::O);
  if (lse)
    roles.push_back(R::Lse);
  return roles;
}

bool Problem::hasRole(TensorRole role) const {
  for (TensorRole mine : roles())
    if (mine == role)
      return true;
  return false;
}

bool Problem::isOutput(TensorRole role) const {
  using R = TensorRole;
  if (direction == Direction::Backward)
    return role == R::DQ || role == R::DK || role == R::DV;
  return role == R::O || role == R::Lse;
}

std::vector<int64_t> Problem::shape(TensorRole role) const {
  switch (role) {
  case TensorRole::Lse:
    return {batch, heads, seqLenQ};
  case TensorRole::K:
  case TensorRole::V:
  case TensorRole::DK:
  case TensorRole::DV:
    return {batch, kvHeads, seqLenK, headDim};
  case TensorRole::CuQ:
  case TensorRole::CuK:
    return {sequences == kDynamicSize ? kDynamicSize : sequences + 1};
  case TensorRole::Q:
  case TensorRole::O:
  case TensorRole::DO:
  case TensorRole::DQ:
    break;
  }
  return {batch, heads, seqLenQ, headDim};
}

const char *Problem::dimNames(TensorRole role) { return infoOf(role).dims; }

DType Problem::dtypeOf(TensorRole role) const {
  if (role == TensorRole::CuQ || role == TensorRole::CuK)
    return DType::I32;
  return role == TensorRole::Lse ? DType::F32 : dtype;
}

std::vector<int64_t> Problem::packedStrides(TensorRole role) const {
  std::vector<int64_t> dims = shape(role);
  std::vector<int64_t> strides(dims.size(), 1);
  for (size_t i = dims.size() - 1; i > 0; --i)
    strides[i - 1] = strides[i] * dims[i];
  return strides;
}

int64_t Problem::elements(TensorRole role) const {
  int64_t count = 1;
  for (int64_t dim : shape(role))
    count *= dim;
  return count;
}

uint64_t Problem::bytes(TensorRole role) const {
  return uint64_t(elements(role)) * sizeOf(dtypeOf(role));
}

int64_t Problem::scoreElements() const {
  return batch * heads * seqLenQ * seqLenK;
}

KeyRange attn::rt::visibleKeyRange(const Problem &problem, int64_t row) {
  const int64_t nk = problem.seqLenK;
  // The row's diagonal, aligned to the bottom right.
  const int64_t diagonal = row + nk - problem.seqLenQ;
  int64_t first = 0, end = nk;
  if (problem.windowLeft >= 0)
    first = std::max<int64_t>(first, diagonal - problem.windowLeft);
  if (problem.causal)
    end = std::min<int64_t>(end, diagonal + 1);
  if (problem.windowRight >= 0)
    end = std::min<int64_t>(end, diagonal + problem.windowRight + 1);
  first = std::clamp<int64_t>(first, 0, nk);
  end = std::clamp<int64_t>(end, first, nk);
  return {first, end};
}

int64_t attn::rt::visibleKeys(const Problem &problem, int64_t row) {
  KeyRange range = visibleKeyRange(problem, row);
  return range.end - range.first;
}

/// The (row, key) pairs a windowed mask lets through, in closed form: row i
/// sees the keys of [i + b, i + a) inside [0, Nk), and with a > b that is
/// clamp(i + a) - clamp(i + b), clamp to [0, Nk]; sums of clamp(i + c) over
/// the rows are differences of the prefix sums below.
static double windowPairs(const Problem &p) {
  const double nq = double(p.seqLenQ), nk = double(p.seqLenK);
  const double diagonal = nk - nq; // of row 0
  double a = nk, b = -nq;          // unbounded: past either end of the keys
  if (p.causal)
    a = std::min(a, diagonal + 1);
  if (p.windowRight >= 0)
    a = std::min(a, diagonal + double(p.windowRight) + 1);
  if (p.windowLeft >= 0)
    b = diagonal - double(p.windowLeft);
  // sum of clamp(t, 0, Nk) for t < n.
  auto prefix = [nk](double n) {
    if (n <= 0)
      return 0.0;
    if (n <= nk + 1)
      return n * (n - 1) / 2;
    return nk * (nk + 1) / 2 + (n - nk - 1) * nk;
  };
  auto sumOfClamped = [&](double c) { return prefix(c + nq) - prefix(c); };
  return sumOfClamped(a) - sumOfClamped(b);
}

double Problem::forwardFlops() const {
  const double perPair = 4.0 * double(batch) * double(heads) * double(headDim);
  if (hasWindow() && seqLenQ != kDynamicSize && seqLenK != kDynamicSize)
    return perPair * windowPairs(*this);
  double flops = perPair * double(seqLenQ) * double(seqLenK);
  return causal ? flops / 2 : flops;
}

double Problem::flops() const {
  return direction == Direction::Backward ? 2.5 * forwardFlops()
                                          : forwardFlops();
}

Status Problem::validate() const {
  if (dtype == DType::I32)
    return invalid("dtype i32: Q, K, V and O are f16, bf16 or f32 (i32 is "
                   "the sequence offsets' type)");
  if (sequences != 0 && sequences != kDynamicSize &&
      (sequences < 1 || sequences >= (int64_t(1) << 31)))
    return invalid("S = " + std::to_string(sequences) +
                   " packed sequences; it must be in [1, 2^31)");
  if (sequences != 0 && (direction == Direction::Backward || batch > 1))
    return invalid("packed sequences (S) need a forward problem of B = 1");
  // Their offsets are i32.
  if (sequences != 0 &&
      (seqLenQ >= (int64_t(1) << 31) || seqLenK >= (int64_t(1) << 31)))
    return invalid("packed sequences hold Nq = " + std::to_string(seqLenQ) +
                   " and Nk = " + std::to_string(seqLenK) +
                   " rows in all; their i32 offsets count at most 2^31 - 1");
  struct Size {
    const char *name;
    int64_t value;
  } sizes[] = {{"B", batch},    {"H", heads},    {"Hkv", kvHeads},
               {"Nq", seqLenQ}, {"Nk", seqLenK}, {"D", headDim}};
  for (const Size &size : sizes) {
    if (size.value == kDynamicSize && std::string(size.name) != "D")
      continue;
    if (size.value < 1)
      return invalid(std::string(size.name) + " is " +
                     std::to_string(size.value) + "; it must be at least 1" +
                     (std::string(size.name) == "D"
                          ? " (the head dimension is never a run-time size)"
                          : ""));
    if (size.value > kMaxElements)
      return invalid(std::string(size.name) + " is " +
                     std::to_string(size.value) + "; it must be at most " +
                     std::to_string(kMaxElements));
  }
  if (heads != kDynamicSize && kvHeads != kDynamicSize && heads % kvHeads != 0)
    return invalid("H = " + std::to_string(heads) +
                   " is not a multiple of Hkv = " + std::to_string(kvHeads) +
                   "; each K/V head serves a whole group of query heads");
  // Every product below is of factors at most 2^40 and is checked before
  // the next factor is taken.
  for (TensorRole role : {TensorRole::Q, TensorRole::K}) {
    int64_t count = 1;
    for (int64_t dim : shape(role))
      if (dim != kDynamicSize &&
          (__builtin_mul_overflow(count, dim, &count) || count > kMaxElements))
        return invalid(
            std::string(role == TensorRole::Q ? "B*H*Nq*D" : "B*Hkv*Nk*D") +
            " is more than the " + std::to_string(kMaxElements) +
            " elements a tensor may hold");
  }
  if (windowLeft < -1 || windowRight < -1)
    return invalid("window is (" + std::to_string(windowLeft) + ", " +
                   std::to_string(windowRight) +
                   "); each side must be at least 0, or -1 for unbounded");
  if (scale && !(std::isfinite(*scale) && *scale > 0))
    return invalid("scale is " + std::to_string(*scale) +
                   "; it must be positive and finite");
  if (direction == Direction::Backward && !lse)
    return invalid("a backward problem reads the forward's logsumexp: it "
                   "needs lse");
  return Status::success();
}

std::string Problem::describe() const {
  auto size = [](int64_t value) {
    return value == kDynamicSize ? std::string("?") : std::to_string(value);
  };
  std::string text = direction == Direction::Backward ? "backward " : "";
  text += std::string(nameOf(pipeline)) + " " + nameOf(dtype) +
          " B=" + size(batch) + " H=" + size(heads);
  if (kvHeads != heads)
    text += " Hkv=" + size(kvHeads);
  if (seqLenQ == seqLenK && seqLenQ != kDynamicSize)
    text += " N=" + size(seqLenQ);
  else
    text += " Nq=" + size(seqLenQ) + " Nk=" + size(seqLenK);
  text += " D=" + std::to_string(headDim) + " causal=" + (causal ? "1" : "0");
  if (hasWindow())
    text += " window=" + std::to_string(windowLeft) + "," +
            std::to_string(windowRight);
  if (sequences)
    text += " S=" + size(sequences);
  return text;
}

bool attn::rt::operator==(const Problem &a, const Problem &b) {
  return a.direction == b.direction && a.batch == b.batch &&
         a.heads == b.heads && a.kvHeads == b.kvHeads &&
         a.seqLenQ == b.seqLenQ && a.seqLenK == b.seqLenK &&
         a.headDim == b.headDim && a.dtype == b.dtype && a.causal == b.causal &&
         a.windowLeft == b.windowLeft && a.windowRight == b.windowRight &&
         a.sequences == b.sequences &&
         a.effectiveScale() == b.effectiveScale() && a.lse == b.lse &&
         a.pipeline == b.pipeline;
}

//===- RecomputeProbabilities.cpp - P from Q, K and lse, on chip ----------===//
//
// Rung 2 -> 3 of the fused backward (Passes.td says what and why). The
// producer of P stores one tile per program; the tile's backward slice
// (the ops it is computed by) may only reach the store's indices, the
// kernel's input buffers and constants. Each load of P elsewhere gets a
// clone of that slice, its indices standing for the store's and the
// consumer's buffers of the same launch names for the producer's.
//
//===----------------------------------------------------------------------===//
#include "dialects/Tile/Transforms/Passes.h"
#include "dialects/Tile/Transforms/SinkTranspose.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SetVector.h"

namespace attn {
#define GEN_PASS_DEF_ATTNRECOMPUTEPROBABILITIES
#include "dialects/Tile/Transforms/Passes.h.inc"
} // namespace attn

using namespace mlir;
using namespace attn;
using namespace attn::tile;

namespace {

constexpr StringLiteral kProbabilities = "p";

StringRef nameAt(LaunchOp launch, unsigned i) {
  return cast<StringAttr>(launch.getNames()[i]).getValue();
}

/// The one launch of `kernel` in `module`, or a diagnostic.
FailureOr<LaunchOp> onlyLaunchOf(ModuleOp module, func::FuncOp kernel) {
  SmallVector<LaunchOp> launches;
  module.walk([&](LaunchOp l) {
    if (l.getCallee() == kernel.getSymName())
      launches.push_back(l);
  });
  if (launches.size() != 1)
    return kernel.emitError()
           << "attn-recompute-probabilities: kernel @" << kernel.getSymName()
           << " is launched " << launches.size()
           << " times; recomputation rewrites one launch of it";
  return launches.front();
}

/// How one tile of P is computed: the producer's store and the ops of its
/// value's backward slice, in order.
struct Recipe {
  LaunchOp launch;
  func::FuncOp kernel;
  StoreOp store;
  SmallVector<Operation *> ops;
  /// Producer arguments the slice reads (input buffers), by index.
  llvm::SetVector<unsigned> inputs;
};

/// The recipe of output `outIndex` of `launch`, or a diagnostic saying why
/// the tile cannot be recomputed.
FailureOr<Recipe> recipeOf(LaunchOp launch, func::FuncOp kernel,
                           unsigned outIndex) {
  Recipe r{launch, kernel, {}, {}, {}};
  unsigned numInputs = launch.getInputs().size();
  BlockArgument buffer = kernel.getArgument(numInputs + outIndex);
  for (Operation *user : buffer.getUsers()) {
    auto store = dyn_cast<StoreOp>(user);
    if (!store || r.store || store->getParentOp() != kernel)
      return kernel.emitError()
             << "attn-recompute-probabilities: kernel @" << kernel.getSymName()
             << " must write P with one tile.store in its body, not inside a "
                "loop or branch";
    r.store = store;
  }
  if (!r.store)
    return kernel.emitError() << "attn-recompute-probabilities: kernel @"
                              << kernel.getSymName() << " never writes P";
  DenseSet<Value> indices(r.store.getIndices().begin(),
                          r.store.getIndices().end());
  DenseSet<Operation *> slice;
  SmallVector<Value> work = {r.store.getValue()};
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (indices.contains(v))
      continue;
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      if (arg.getOwner()->getParentOp() != kernel ||
          arg.getArgNumber() >= numInputs)
        return kernel.emitError()
               << "attn-recompute-probabilities: P's tile in @"
               << kernel.getSymName()
               << " depends on a value other than its indices and the "
                  "kernel's inputs";
      r.inputs.insert(arg.getArgNumber());
      continue;
    }
    Operation *def = v.getDefiningOp();
    if (isa<ProgramIdOp>(def) || def->getNumRegions() ||
        def->getParentOp() != kernel)
      return def->emitError()
             << "attn-recompute-probabilities: P's tile depends on this op ("
             << def->getName()
             << "), not only on its indices and the kernel's inputs";
    if (slice.insert(def).second)
      llvm::append_range(work, def->getOperands());
  }
  for (Operation &op : kernel.getBody().front())
    if (slice.contains(&op))
      r.ops.push_back(&op);
  return r;
}

/// Replaces `launch` by one with the same callee and results whose inputs
/// and names are `inputs` and `names`.
LaunchOp relaunch(LaunchOp launch, ValueRange inputs,
                  ArrayRef<Attribute> names) {
  OpBuilder b(launch);
  auto fresh =
      LaunchOp::create(b, launch.getLoc(), launch.getResultTypes(),
                       launch.getCalleeAttr(), inputs, launch.getGrid(),
                       launch.getSizes(), b.getArrayAttr(names),
                       launch.getConfigAttr(), launch.getTensorMapsAttr(),
                       launch.getScalarsAttr());
  launch->replaceAllUsesWith(fresh->getResults());
  launch->erase();
  return fresh;
}

/// Makes consumer input `name` (the value `value`) available to `kernel`:
/// its argument index, adding the input to the launch where missing.
unsigned inputFor(LaunchOp &consumer, func::FuncOp kernel, StringRef name,
                  Value value) {
  unsigned numInputs = consumer.getInputs().size();
  for (unsigned i = 0; i < numInputs; ++i)
    if (nameAt(consumer, i) == name && consumer.getInputs()[i] == value)
      return i;
  SmallVector<Value> inputs(consumer.getInputs());
  inputs.push_back(value);
  SmallVector<Attribute> names(consumer.getNames().getValue());
  names.insert(names.begin() + numInputs,
               StringAttr::get(kernel.getContext(), name));
  auto memref = cast<RankedTensorType>(value.getType());
  (void)kernel.insertArgument(
      numInputs, MemRefType::get(memref.getShape(), memref.getElementType()),
      DictionaryAttr(), kernel.getLoc());
  consumer = relaunch(consumer, inputs, names);
  return numInputs;
}

/// Whether no op of `kernel` writes `buffer` (only loads and copies read it).
bool readOnly(Value buffer) {
  return llvm::all_of(buffer.getUsers(), [](Operation *user) {
    return isa<LoadOp, AsyncCopyOp>(user);
  });
}

/// A load in the consumer that already reads what `load`, cloned with `map`
/// before `at`, would read: same read-only buffer, same indices, same type,
/// and it dominates `at`. Reusing it keeps K's tile from being read twice.
Value existingLoad(LoadOp load, IRMapping &map, Operation *at,
                   DominanceInfo &dominance) {
  Value source = map.lookupOrDefault(load.getSource());
  if (!readOnly(source))
    return {};
  SmallVector<Value> indices;
  for (Value index : load.getIndices())
    indices.push_back(map.lookupOrDefault(index));
  for (Operation *user : source.getUsers()) {
    auto other = dyn_cast<LoadOp>(user);
    if (other && other.getType() == load.getType() &&
        llvm::all_of(llvm::zip_equal(other.getIndices(), indices),
                     [](auto pair) {
                       auto [a, b] = pair;
                       std::optional<int64_t> ca = getConstantIntValue(a);
                       return a == b || (ca && ca == getConstantIntValue(b));
                     }) &&
        dominance.properlyDominates(other.getOperation(), at))
      return other.getResult();
  }
  return {};
}

/// `transpose` of a P tile rounded from `round`'s f32 input becomes the
/// rounding of that input transposed, and its uses widened back to f32 take
/// the transposed f32 tile. Returns the one transpose left.
TransposeOp transposeBeforeRounding(TransposeOp transpose,
                                    arith::TruncFOp round) {
  OpBuilder b(transpose);
  Location loc = transpose.getLoc();
  auto wideType = RankedTensorType::get(
      transpose.getType().getShape(),
      cast<RankedTensorType>(round.getIn().getType()).getElementType());
  auto wide = TransposeOp::create(b, loc, wideType, round.getIn());
  Value rounded = arith::TruncFOp::create(b, loc, transpose.getType(), wide);
  for (Operation *user : llvm::make_early_inc_range(transpose->getUsers()))
    if (auto widen = dyn_cast<arith::ExtFOp>(user);
        widen && widen.getType() == wideType)
      widen.replaceAllUsesWith(wide.getResult()), widen.erase();
  transpose.replaceAllUsesWith(rounded);
  transpose.erase();
  return wide;
}

/// Rewrites the loads of consumer input `index` (P) in `kernel`.
LogicalResult recomputeIn(Recipe &r, LaunchOp consumer, func::FuncOp kernel,
                          unsigned index) {
  BlockArgument p = kernel.getArgument(index);
  auto tileType = cast<RankedTensorType>(r.store.getValue().getType());
  SmallVector<LoadOp> loads;
  for (Operation *user : p.getUsers()) {
    auto load = dyn_cast<LoadOp>(user);
    if (!load || load.getType().getShape() != tileType.getShape() ||
        load.getType().getElementType() != tileType.getElementType())
      return user->emitError()
             << "attn-recompute-probabilities: P is read here other than "
                "as a "
             << tileType << " tile, the shape its producer @"
             << r.kernel.getSymName() << " stores";
    loads.push_back(load);
  }
  // The producer's inputs, as arguments of this kernel (added to its
  // launch where missing; the launch is rebuilt, P keeps its index).
  SmallVector<TransposeOp> transposes;
  DenseMap<unsigned, unsigned> argFor;
  for (unsigned in : r.inputs)
    argFor[in] = inputFor(consumer, kernel, nameAt(r.launch, in),
                          r.launch.getInputs()[in]);
  for (LoadOp load : loads) {
    IRMapping map;
    for (auto [from, to] : llvm::zip(r.store.getIndices(), load.getIndices()))
      map.map(from, to);
    for (auto [in, arg] : argFor)
      map.map(r.kernel.getArgument(in), kernel.getArgument(arg));
    OpBuilder b(load);
    DominanceInfo dominance(kernel);
    for (Operation *op : r.ops) {
      if (auto tileLoad = dyn_cast<LoadOp>(op))
        if (Value reused = existingLoad(tileLoad, map, load, dominance)) {
          map.map(tileLoad.getResult(), reused);
          continue;
        }
      b.clone(*op, map);
    }
    Value tile = map.lookup(r.store.getValue());
    // Widening the rounded tile back to f32 (or its transpose): use the f32
    // value it was rounded from.
    auto round = tile.getDefiningOp<arith::TruncFOp>();
    for (Operation *user : llvm::make_early_inc_range(load->getUsers())) {
      if (auto widen = dyn_cast<arith::ExtFOp>(user);
          round && widen && widen.getType() == round.getIn().getType())
        widen.replaceAllUsesWith(round.getIn()), widen.erase();
      if (auto transpose = dyn_cast<TransposeOp>(user))
        transposes.push_back(round ? transposeBeforeRounding(transpose, round)
                                   : transpose);
    }
    load.replaceAllUsesWith(tile);
    load.erase();
    // Read only transposed: the rounding moved after the transpose.
    if (round && round->use_empty())
      round.erase();
  }
  // Pᵀ is computed transposed: Sᵀ = K·Qᵀ, the logsumexp down the rows.
  if (!transposes.empty()) {
    RewritePatternSet patterns(kernel.getContext());
    populateSinkTransposePatterns(patterns);
    SmallVector<Operation *> ops(transposes.begin(), transposes.end());
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    (void)applyOpPatternsGreedily(ops, std::move(patterns), config);
  }
  // P is no longer read: drop it from the kernel and its launch.
  (void)kernel.eraseArgument(index);
  SmallVector<Value> inputs(consumer.getInputs());
  inputs.erase(inputs.begin() + index);
  SmallVector<Attribute> names(consumer.getNames().getValue());
  names.erase(names.begin() + index);
  relaunch(consumer, inputs, names);
  return success();
}

struct AttnRecomputeProbabilitiesPass
    : attn::impl::AttnRecomputeProbabilitiesBase<
          AttnRecomputeProbabilitiesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(getTileKernels(module, "attn-recompute-probabilities",
                              "rung 2, after attn-tile")))
      return signalPassFailure();
    SmallVector<std::pair<LaunchOp, unsigned>> producers;
    module.walk([&](LaunchOp launch) {
      unsigned numInputs = launch.getInputs().size();
      for (unsigned i = 0; i < launch.getOutputs().size(); ++i)
        if (nameAt(launch, numInputs + i) == kProbabilities)
          producers.push_back({launch, i});
    });
    for (auto [launch, outIndex] : producers)
      if (failed(recompute(module, launch, outIndex)))
        return signalPassFailure();
  }

  LogicalResult recompute(ModuleOp module, LaunchOp launch, unsigned outIndex) {
    auto kernel = module.lookupSymbol<func::FuncOp>(launch.getCallee());
    if (!kernel || kernel.isExternal())
      return launch.emitError() << "attn-recompute-probabilities: the kernel "
                                   "writing P is not a tile kernel with a body";
    FailureOr<Recipe> recipe = recipeOf(launch, kernel, outIndex);
    if (failed(recipe))
      return failure();
    // The uses in program order (a use list has none).
    Value p = launch.getOutputs()[outIndex];
    DenseSet<Operation *> users(p.getUsers().begin(), p.getUsers().end());
    SmallVector<OpOperand *> uses;
    module.walk([&](Operation *op) {
      if (users.contains(op))
        for (OpOperand &use : op->getOpOperands())
          if (use.get() == p)
            uses.push_back(&use);
    });
    for (OpOperand *use : uses) {
      auto consumer = dyn_cast<LaunchOp>(use->getOwner());
      if (!consumer)
        return use->getOwner()->emitError()
               << "attn-recompute-probabilities: P is used by "
               << use->getOwner()->getName() << ", not by a tile.launch";
      auto target = module.lookupSymbol<func::FuncOp>(consumer.getCallee());
      if (!target || target.isExternal() ||
          failed(onlyLaunchOf(module, target)))
        return consumer.emitError()
               << "attn-recompute-probabilities: the kernel reading P must be "
                  "a tile kernel with a body, launched once";
      if (failed(
              recomputeIn(*recipe, consumer, target, use->getOperandNumber())))
        return failure();
    }
    // Nothing reads P any more: the launch that wrote it goes when it made
    // nothing else that is used, and its kernel with it.
    if (llvm::any_of(launch.getResults(),
                     [](Value v) { return !v.use_empty(); }))
      return success();
    launch.erase();
    bool launched = false;
    module.walk(
        [&](LaunchOp l) { launched |= l.getCallee() == kernel.getSymName(); });
    if (!launched)
      kernel.erase();
    return success();
  }
};

} // namespace

//===- PromoteTma.cpp - stage dot operands with TMA copies ----------------===//
//
// Rung 3 -> 4 for kernels whose #tile.config says mma = wgmma (sm_90a). A
// `tile.load` feeding a `tile.dot` becomes a TMA copy into a buffer with the
// 128-byte swizzle that wgmma reads, guarded by barriers:
//
//   outside a loop:  tma_load -> buf[0] signalling full; wait full[0], 0
//   inside a loop:   i = (j - lb) / step; slot = i % stages;
//                    parity = (i / stages) % 2
//                    wait empty[slot], parity ^ 1     (the slot is free)
//                    tma_load -> buf[slot] signalling full
//                    wait full[slot], parity          (the tile has landed)
//                    ... uses of buf[slot] ...
//                    arrive empty[slot]               (after the last use)
//
// Read as one program this is correct but serial; attn-warp-specialize
// moves the copies and their `empty` waits to a producer warpgroup, which
// then runs up to `stages` tiles ahead of the compute warps.
//
// The source of each copy is a tensor map: the kernel gains one
// `!tile.tensor_map` parameter per (memref, box) after its buffers, and
// every launch of it names the map and the buffer it is encoded from. A
// load of a unit-stride memref.subview (a packed sequence's rows) copies
// from the map of the viewed argument, at the view's offsets.
//
//===----------------------------------------------------------------------===//
#include "dialects/Tile/Transforms/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/Debug.h"

namespace attn {
#define GEN_PASS_DEF_ATTNPROMOTETMA
#include "dialects/Tile/Transforms/Passes.h.inc"
} // namespace attn

#define DEBUG_TYPE "attn-promote-tma"

using namespace mlir;
using namespace attn;
using namespace attn::tile;

namespace {

/// The swizzle wgmma and TMA agree on: rows of 128 bytes.
constexpr int64_t kSwizzleBytes = 128;

bool feedsDot(LoadOp load) {
  return llvm::any_of(load->getUsers(),
                      [](Operation *u) { return isa<DotOp>(u); });
}

/// What a load reads: a kernel argument (the buffer a tensor map is encoded
/// from) at offsets, those of the unit-stride memref.subviews between them
/// (a packed sequence's rows; attn-tile). The copies read the argument at
/// the load's indices plus the offsets; TMA bounds them by the argument's
/// sizes, not the view's, so rows past a view's end are its neighbour's:
/// the kernels mask such keys and store no such rows.
struct Source {
  BlockArgument arg;
  SmallVector<memref::SubViewOp> views;

  static Source of(Value memref) {
    Source source;
    while (auto view = memref.getDefiningOp<memref::SubViewOp>()) {
      if (!view.hasUnitStride() ||
          view.getSourceType().getRank() != view.getType().getRank())
        return source;
      source.views.push_back(view);
      memref = view.getSource();
    }
    auto arg = dyn_cast<BlockArgument>(memref);
    if (arg && isa<func::FuncOp>(arg.getOwner()->getParentOp()))
      source.arg = arg;
    return source;
  }
};

/// Why `load` cannot be copied with TMA, or an empty string.
std::string unsupportedReason(LoadOp load) {
  Source source = Source::of(load.getSource());
  if (!source.arg)
    return "reads a memref that is neither a kernel argument nor a "
           "unit-stride view of one; a tensor map is encoded from a buffer "
           "the launch passes";
  MemRefType memref = cast<MemRefType>(source.arg.getType());
  // A packed memref, or one of run-time sizes and strides (a map of the
  // tensor's own view); fixed strides of another layout are not mapped.
  if (!memref.getLayout().isIdentity() && memref.hasStaticShape())
    return "reads a memref of fixed strides that are not packed; tensor maps "
           "are encoded for packed tensors and tensors of run-time strides";
  if (memref.getRank() > 5)
    return "reads a memref of rank " + std::to_string(memref.getRank()) +
           "; a tensor map has at most 5 dimensions";
  RankedTensorType tile = load.getType();
  int64_t eltBytes = tile.getElementTypeBitWidth() / 8;
  int64_t boxCols = kSwizzleBytes / eltBytes;
  if (eltBytes != 2)
    return "loads a tile of 32-bit elements; the wgmma path takes f16 and "
           "bf16";
  if (tile.getDimSize(1) % boxCols != 0)
    return "loads a tile of " + std::to_string(tile.getDimSize(1)) +
           " columns; a 128-byte swizzle needs a multiple of " +
           std::to_string(boxCols);
  if (memref.hasStaticShape() && memref.getShape().back() * eltBytes % 16 != 0)
    return "reads rows that are not a multiple of 16 bytes (TMA's stride "
           "rule)";
  return "";
}

/// Whether `load`, a vector read in a loop whose tiles are copied (the
/// backward's logsumexp and δ of each step), can be staged by a bulk copy:
/// a packed row of static length, whole vectors of a multiple of 16 bytes
/// each, starting at a multiple of the vector's length.
bool isStageableVector(LoadOp load) {
  RankedTensorType type = load.getType();
  if (type.getRank() != 1)
    return false;
  MemRefType memref = load.getSource().getType();
  int64_t length = type.getDimSize(0);
  int64_t bytes = length * type.getElementTypeBitWidth() / 8;
  return memref.getLayout().isIdentity() && memref.hasStaticShape() &&
         memref.getShape().back() % length == 0 && bytes % 16 == 0 &&
         isMultipleOf(load.getIndices().back(), length);
}

/// Builds the promoted form of one kernel.
class Promoter {
public:
  Promoter(func::FuncOp fn, ConfigAttr config)
      : fn(fn), config(config), b(fn.getContext()) {}

  LogicalResult run() {
    llvm::MapVector<Operation *, SmallVector<LoadOp>> byParent;
    WalkResult walk = fn.walk([&](LoadOp load) {
      if (!feedsDot(load))
        return WalkResult::advance();
      std::string why = unsupportedReason(load);
      if (!why.empty()) {
        load.emitOpError() << "cannot be copied with TMA: " << why;
        return WalkResult::interrupt();
      }
      byParent[load->getParentOp()].push_back(load);
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return failure();
    if (byParent.empty())
      return success();
    for (auto &[parent, loads] : byParent) {
      if (auto loop = dyn_cast<scf::ForOp>(parent)) {
        promoteInLoop(loop, loads);
        for (Operation &op :
             llvm::make_early_inc_range(loop.getBody()->without_terminator()))
          if (auto load = dyn_cast<LoadOp>(op); load && isStageableVector(load))
            stageInLoop(loop, load);
        continue;
      }
      for (LoadOp load : loads)
        promoteStandalone(load);
    }
    // Barriers are initialized where they are allocated; every thread must
    // see that before the first wait.
    b.setInsertionPointAfter(lastAlloc);
    BarrierOp::create(b, fn.getLoc());
    return success();
  }

  /// The tensor maps the kernel now takes, in parameter order, with the
  /// number of the buffer argument each is encoded from.
  ArrayRef<std::pair<int64_t, TensorMapType>> maps() const { return mapArgs; }

private:
  /// The map parameter for loads of `load`'s shape from its memref.
  Value mapFor(LoadOp load) {
    BlockArgument arg = Source::of(load.getSource()).arg;
    RankedTensorType tile = load.getType();
    int64_t boxCols = kSwizzleBytes * 8 / tile.getElementTypeBitWidth();
    auto type = TensorMapType::get(fn.getContext(), tile.getDimSize(0), boxCols,
                                   tile.getElementType(), kSwizzleBytes);
    for (auto [i, entry] : llvm::enumerate(mapArgs))
      if (entry.first == arg.getArgNumber() && entry.second == type)
        return mapValues[i];
    unsigned index = fn.getNumArguments();
    if (failed(fn.insertArgument(index, type, {}, fn.getLoc())))
      llvm_unreachable("appending an argument to a function cannot fail");
    mapArgs.push_back({arg.getArgNumber(), type});
    mapValues.push_back(fn.getArgument(index));
    return mapValues.back();
  }

  /// Allocation ops go to the kernel's entry, in creation order.
  template <typename OpT, typename... Args>
  Value allocate(Type type, Args &&...args) {
    OpBuilder::InsertionGuard guard(b);
    if (lastAlloc)
      b.setInsertionPointAfter(lastAlloc);
    else
      b.setInsertionPointToStart(&fn.getBody().front());
    lastAlloc = OpT::create(b, fn.getLoc(), type, std::forward<Args>(args)...);
    return lastAlloc->getResult(0);
  }

  Value buffer(LoadOp load, int64_t slots) {
    RankedTensorType tile = load.getType();
    auto encoding =
        SharedEncodingAttr::get(fn.getContext(), /*pad=*/0, kSwizzleBytes);
    auto type = BufferType::get(fn.getContext(),
                                {slots, tile.getDimSize(0), tile.getDimSize(1)},
                                tile.getElementType(), encoding);
    return allocate<AllocSharedOp>(type, IntegerAttr());
  }

  Value barrier(BarrierKind kind, int64_t slots) {
    return allocate<AllocMBarrierOp>(MBarrierType::get(fn.getContext(), slots),
                                     kind, IntegerAttr());
  }

  /// The matrix (leading indices), row and column of `load`'s top-left
  /// element in the map's view: for a packed memref its leading indices
  /// linearized (the map flattens them), for one of run-time sizes the
  /// leading indices themselves (the map is the tensor's own view).
  std::tuple<SmallVector<Value>, Value, Value> coordinates(LoadOp load) {
    Location loc = load.getLoc();
    Source source = Source::of(load.getSource());
    auto memref = cast<MemRefType>(source.arg.getType());
    SmallVector<Value> indices(load.getIndices());
    for (memref::SubViewOp view : source.views)
      for (auto [index, offset] : llvm::zip(indices, view.getMixedOffsets()))
        if (!isConstantIntValue(offset, 0))
          index = arith::AddIOp::create(
              b, loc, index, getValueOrCreateConstantIndexOp(b, loc, offset));
    int64_t rank = memref.getRank();
    if (!memref.hasStaticShape())
      return {SmallVector<Value>(ArrayRef<Value>(indices).drop_back(2)),
              indices[rank - 2], indices[rank - 1]};
    Value matrix = arith::ConstantIndexOp::create(b, loc, 0);
    for (int64_t d = 0; d + 2 < rank; ++d) {
      Value size = arith::ConstantIndexOp::create(b, loc, memref.getDimSize(d));
      matrix = arith::AddIOp::create(
          b, loc, arith::MulIOp::create(b, loc, matrix, size), indices[d]);
    }
    return {SmallVector<Value>{matrix}, indices[rank - 2], indices[rank - 1]};
  }

  /// The tile's uses read `buf[slot]` instead of registers.
  Value view(LoadOp load, Value buf, Value slot) {
    auto type = cast<BufferType>(buf.getType()).getSlotType();
    Value tile = LocalLoadOp::create(b, load.getLoc(), type, buf, slot);
    load.getResult().replaceAllUsesWith(tile);
    return tile;
  }

  void promoteStandalone(LoadOp load) {
    Value map = mapFor(load);
    Value buf = buffer(load, 1);
    Value full = barrier(BarrierKind::copy, 1);
    b.setInsertionPoint(load);
    Location loc = load.getLoc();
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    auto [matrix, row, col] = coordinates(load);
    TmaLoadOp::create(b, loc, map, matrix, row, col, buf, zero, full);
    MBarrierWaitOp::create(b, loc, full, zero, zero);
    view(load, buf, zero);
    load->erase();
  }

  void promoteInLoop(scf::ForOp loop, ArrayRef<LoadOp> loads) {
    int64_t stages = config.getStages();
    Location loc = loop.getLoc();
    b.setInsertionPointToStart(loop.getBody());
    auto cst = [&](int64_t v) {
      return arith::ConstantIndexOp::create(b, loc, v);
    };
    Value iter = arith::DivUIOp::create(
        b, loc,
        arith::SubIOp::create(b, loc, loop.getInductionVar(),
                              loop.getLowerBound()),
        loop.getStep());
    Value slot = arith::RemUIOp::create(b, loc, iter, cst(stages));
    Value parity = arith::RemUIOp::create(
        b, loc, arith::DivUIOp::create(b, loc, iter, cst(stages)), cst(2));
    Value freeParity = arith::XOrIOp::create(b, loc, parity, cst(1));
    stagedPhase[loop] = {slot, parity, freeParity};
    for (LoadOp load : loads) {
      Value map = mapFor(load);
      Value buf = buffer(load, stages);
      Value full = barrier(BarrierKind::copy, stages);
      Value empty = barrier(BarrierKind::release, stages);
      b.setInsertionPoint(load);
      Location at = load.getLoc();
      MBarrierWaitOp::create(b, at, empty, slot, freeParity);
      auto [matrix, row, col] = coordinates(load);
      TmaLoadOp::create(b, at, map, matrix, row, col, buf, slot, full);
      MBarrierWaitOp::create(b, at, full, slot, parity);
      Value tile = view(load, buf, slot);
      load->erase();
      // Released after its last use in the loop body.
      Operation *last = tile.getDefiningOp();
      for (Operation *user : tile.getUsers()) {
        Operation *inBody = loop.getBody()->findAncestorOpInBlock(*user);
        if (inBody && last->isBeforeInBlock(inBody))
          last = inBody;
      }
      b.setInsertionPointAfter(last);
      MBarrierArriveOp::create(b, at, empty, slot);
    }
  }

  /// A loop's slot and the parities its barrier waits expect.
  struct Phase {
    Value slot, parity, freeParity;
  };

  /// Stages a vector read each step (the backward's logsumexp and δ): the
  /// producer's bulk copy into a slot of a one-row buffer, read into
  /// registers where it is first needed (after the element-wise ops that
  /// only pass it on, moved there too), the slot released right after.
  void stageInLoop(scf::ForOp loop, LoadOp load) {
    auto it = stagedPhase.find(loop);
    if (it == stagedPhase.end())
      return;
    auto [slot, parity, freeParity] = it->second;
    RankedTensorType type = load.getType();
    auto encoding = SharedEncodingAttr::get(fn.getContext(), 0, 0);
    Value buf = allocate<AllocSharedOp>(
        BufferType::get(fn.getContext(),
                        {config.getStages(), 1, type.getDimSize(0)},
                        type.getElementType(), encoding),
        IntegerAttr());
    Value full = barrier(BarrierKind::copy, config.getStages());
    Value empty = barrier(BarrierKind::release, config.getStages());
    Location loc = load.getLoc();
    b.setInsertionPoint(load);
    MBarrierWaitOp::create(b, loc, empty, slot, freeParity);
    BulkLoadOp::create(b, loc, load.getSource(), load.getIndices(), buf, slot,
                       full);
    // The chain of element-wise ops that only pass the vector on, and the
    // first op in the loop that needs its end.
    Block *body = loop.getBody();
    SmallVector<Operation *> chain;
    Value end = load.getResult();
    while (end.hasOneUse()) {
      Operation *user = *end.getUsers().begin();
      if (user->getBlock() != body || user->getNumResults() != 1 ||
          !user->hasTrait<OpTrait::Elementwise>() || !isMemoryEffectFree(user))
        break;
      chain.push_back(user);
      end = user->getResult(0);
    }
    Operation *first = nullptr;
    for (Operation *user : end.getUsers())
      if (Operation *inBody = body->findAncestorOpInBlock(*user))
        if (!first || inBody->isBeforeInBlock(first))
          first = inBody;
    if (!first)
      first = body->getTerminator();
    b.setInsertionPoint(first);
    MBarrierWaitOp::create(b, loc, full, slot, parity);
    Value vector = LocalLoadOp::create(b, loc, type, buf, slot);
    MBarrierArriveOp::create(b, loc, empty, slot);
    for (Operation *op : chain)
      op->moveBefore(first);
    load.getResult().replaceAllUsesWith(vector);
    load->erase();
  }

  func::FuncOp fn;
  ConfigAttr config;
  OpBuilder b;
  /// Per loop whose tiles are copied: its slot and barrier parities.
  DenseMap<Operation *, Phase> stagedPhase;
  Operation *lastAlloc = nullptr;
  SmallVector<std::pair<int64_t, TensorMapType>> mapArgs;
  SmallVector<Value> mapValues;
};

/// Names a launch gives the maps: the buffer's name + "_map" (a number
/// added while it is taken).
std::string mapName(ArrayRef<StringRef> taken, StringRef buffer) {
  std::string name = (buffer + "_map").str();
  for (int n = 2; llvm::is_contained(taken, name); ++n)
    name = (buffer + "_map" + std::to_string(n)).str();
  return name;
}

struct AttnPromoteTmaPass : attn::impl::AttnPromoteTmaBase<AttnPromoteTmaPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<SmallVector<func::FuncOp>> kernels = getTileKernels(
        module, "attn-promote-tma", "rungs 2-3, after attn-tile");
    if (failed(kernels))
      return signalPassFailure();
    for (func::FuncOp fn : *kernels) {
      ConfigAttr config = getKernelConfig(fn);
      if (config.getMma() != MmaFamily::wgmma)
        continue;
      Promoter promoter(fn, config);
      if (failed(promoter.run()))
        return signalPassFailure();
      if (failed(updateLaunches(module, fn, promoter.maps())))
        return signalPassFailure();
    }
  }

  LogicalResult
  updateLaunches(ModuleOp module, func::FuncOp fn,
                 ArrayRef<std::pair<int64_t, TensorMapType>> maps) {
    if (maps.empty())
      return success();
    WalkResult walk = module.walk([&](LaunchOp launch) {
      if (launch.getCallee() != fn.getSymName())
        return WalkResult::advance();
      if (launch.getTensorMaps()) {
        launch.emitOpError() << "already passes tensor maps; attn-promote-tma "
                                "runs once";
        return WalkResult::interrupt();
      }
      SmallVector<StringRef> names(
          launch.getNames().getAsValueRange<StringAttr>());
      SmallVector<std::string> added;
      SmallVector<Attribute> args;
      for (auto [source, type] : maps) {
        SmallVector<StringRef> taken(names);
        for (const std::string &a : added)
          taken.push_back(a);
        added.push_back(mapName(taken, names[source]));
        args.push_back(TensorMapArgAttr::get(&getContext(), source, type));
      }
      SmallVector<Attribute> allNames(launch.getNames().begin(),
                                      launch.getNames().end());
      for (const std::string &a : added)
        allNames.push_back(StringAttr::get(&getContext(), a));
      launch.setNamesAttr(ArrayAttr::get(&getContext(), allNames));
      launch.setTensorMapsAttr(ArrayAttr::get(&getContext(), args));
      return WalkResult::advance();
    });
    return failure(walk.wasInterrupted());
  }
};

} // namespace

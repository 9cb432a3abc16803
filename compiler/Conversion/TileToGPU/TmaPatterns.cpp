//===- TmaPatterns.cpp - TMA copies, mbarriers, warp specialization -------===//
//
// The pattern set of the sm_90a memory path:
//   * swizzled buffers and their slots are shared-memory pointers at the
//     offsets attn-allocate-shared gave them; a tile stored there from
//     registers is written in the swizzled layout and fenced for wgmma;
//   * a barrier ring is initialized by thread 0 where it is allocated
//     (arrival count 1 for `copy` barriers, which the issuing thread's
//     expect-tx arrival completes with the bytes; one per compute warp for
//     `release` barriers);
//   * tile.tma_load: one thread announces the slot's bytes on the barrier
//     and starts one cp.async.bulk.tensor per 128-byte-wide box;
//   * waits spin on mbarrier.try_wait.parity; releases are one arrival per
//     warp, after the warp has converged;
//   * tile.warp_specialize: compute warps (the first ones) and the producer
//     warpgroup (the last) branch apart, each resizing its registers first;
//     one producer warp runs the producer region.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/TileToGPU/Layouts.h"
#include "compiler/Conversion/TileToGPU/Patterns.h"
#include "compiler/Conversion/TileToGPU/TypeConverter.h"
#include "dialects/Tile/IR/TileOps.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace attn;
using namespace attn::tilegpu;

namespace {

/// Spin count hint of one mbarrier.try_wait before it retries.
constexpr int64_t kWaitTicks = 1000000;

Value toI32(OpBuilder &b, Location loc, Value index) {
  return arith::IndexCastUIOp::create(b, loc, b.getI32Type(), index);
}

/// `base` + `bytes` (an index) as a shared-memory pointer.
Value offsetPointer(OpBuilder &b, Location loc, Value base, Value bytes) {
  Value offset = arith::IndexCastUIOp::create(b, loc, b.getI64Type(), bytes);
  return LLVM::GEPOp::create(b, loc, base.getType(), b.getI8Type(), base,
                             ValueRange{offset});
}

Value offsetPointer(OpBuilder &b, Location loc, Value base, int64_t bytes) {
  if (bytes == 0)
    return base;
  return LLVM::GEPOp::create(b, loc, base.getType(), b.getI8Type(), base,
                             ArrayRef<LLVM::GEPArg>{bytes});
}

/// A pointer `offset` bytes into the kernel's dynamic shared memory, built
/// at the kernel's entry.
Value sharedPointer(ConversionPatternRewriter &rewriter, Location loc,
                    int64_t offset) {
  OpBuilder::InsertionGuard guard(rewriter);
  Operation *fn = enclosingKernel(rewriter.getInsertionBlock());
  rewriter.setInsertionPointToStart(&fn->getRegion(0).front());
  auto space = mlir::gpu::AddressSpaceAttr::get(
      rewriter.getContext(), mlir::gpu::AddressSpace::Workgroup);
  Value memory = mlir::gpu::DynamicSharedMemoryOp::create(
      rewriter, loc,
      MemRefType::get({ShapedType::kDynamic}, rewriter.getI8Type(),
                      MemRefLayoutAttrInterface(), space));
  Value address =
      memref::ExtractAlignedPointerAsIndexOp::create(rewriter, loc, memory);
  address = arith::IndexCastUIOp::create(rewriter, loc, rewriter.getI64Type(),
                                         address);
  Value base = LLVM::IntToPtrOp::create(
      rewriter, loc, sharedPointerType(rewriter.getContext()), address);
  return offsetPointer(rewriter, loc, base, offset);
}

/// Runs `body` only where `id` is 0 (a lane: once per warp; the thread id:
/// once per program).
template <typename Fn>
void ifFirstThread(OpBuilder &b, Location loc, Value id, Fn body) {
  Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, id,
                                      indexConstant(b, loc, 0));
  auto branch = scf::IfOp::create(b, loc, first, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(branch.thenBlock()->getTerminator());
  body();
}

struct SwizzledAllocLowering : OpConversionPattern<tile::AllocSharedOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::AllocSharedOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op.getType().getEncoding().getSwizzle())
      return rewriter.notifyMatchFailure(op, "not a swizzled buffer");
    std::optional<int64_t> offset = op.getOffset();
    if (!offset)
      return rewriter.notifyMatchFailure(op, "no offset: run "
                                             "attn-allocate-shared first");
    rewriter.replaceOp(op, sharedPointer(rewriter, op.getLoc(), *offset));
    return success();
  }
};

struct SwizzledSlotLowering : OpConversionPattern<tile::LocalLoadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::LocalLoadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    tile::BufferType buffer = op.getBuffer().getType();
    if (!buffer.getEncoding().getSwizzle())
      return rewriter.notifyMatchFailure(op, "not a swizzled buffer");
    Location loc = op.getLoc();
    int64_t slotBytes = buffer.getSizeInBytes() / buffer.getSlots();
    Value bytes = mulIndex(rewriter, loc, adaptor.getSlot(), slotBytes);
    rewriter.replaceOp(op,
                       offsetPointer(rewriter, loc, adaptor.getBuffer(), bytes));
    return success();
  }
};

/// tile.local_store of an accumulator-layout tile into a swizzled buffer
/// (the backward's dSᵀ, a wgmma operand): each thread writes its pairs of
/// adjacent elements, 4 bytes each, where TMA would have put them. Element
/// (r, c) of an R-row slot is in 64-element column block c / 64 (R·128
/// bytes each), row r, 16-byte chunk (c % 64) / 8 XOR (r mod 8). The eight
/// rows a warp writes at once fall in eight distinct chunks: no bank
/// conflicts. The store ends with a proxy fence: a wgmma reads the buffer
/// through the async proxy once a barrier has ordered the threads' writes.
struct SwizzledLocalStoreLowering : OpConversionPattern<tile::LocalStoreOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::LocalStoreOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getValue().getType();
    tile::BufferType buffer = op.getBuffer().getType();
    if (!isa_and_nonnull<tile::MmaEncodingAttr>(type.getEncoding()) ||
        !buffer.getEncoding().getSwizzle())
      return rewriter.notifyMatchFailure(
          op, "stores #tile.mma tiles into swizzled buffers only");
    int64_t eltBytes = buffer.getElementType().getIntOrFloatBitWidth() / 8;
    if (eltBytes != 2)
      return rewriter.notifyMatchFailure(op, "16-bit elements only");
    Location loc = op.getLoc();
    int64_t rows = buffer.getRows();
    int64_t slotBytes = buffer.getSizeInBytes() / buffer.getSlots();
    Value slot = offsetPointer(
        rewriter, loc, adaptor.getBuffer().front(),
        mulIndex(rewriter, loc, adaptor.getSlot().front(), slotBytes));
    // 128-byte swizzle: byte (r, b) of a slot sits in column block b / 128
    // (rows x 128 bytes each), row r, 16-byte chunk (b mod 128) / 16 XOR
    // r mod 8. A thread's rows are row(0, 0) plus multiples of 8 and its
    // pairs sit in one 16-byte chunk, so with its own row, word and chunk
    // r mod 8 in one offset T (bits 4-6 hold the chunk), a store's address
    // is T XOR (its chunk · 16) plus a constant: 8 offsets a thread, not
    // one per store, stay live.
    auto c = [&](int64_t v) { return indexConstant(rewriter, loc, v); };
    AccumulatorLayout layout = accumulatorLayoutOf(type);
    ThreadIds ids = ThreadIds::get(rewriter, loc);
    Value row = layout.row(rewriter, loc, ids, 0, 0);
    Value thread = addIndex(
        rewriter, loc,
        addIndex(rewriter, loc, mulIndex(rewriter, loc, row, 128),
                 mulIndex(rewriter, loc,
                          arith::RemUIOp::create(rewriter, loc, row, c(8)),
                          16)),
        mulIndex(rewriter, loc, layout.col(rewriter, loc, ids, 0, 0),
                 eltBytes));
    auto i32x1 = VectorType::get({1}, rewriter.getI32Type());
    ValueRange pieces = adaptor.getValue();
    for (int64_t mi = 0; mi < layout.atomsPerWarp(); ++mi)
      for (int64_t ni = 0; ni < layout.colAtoms(); ++ni) {
        int64_t colBytes = 8 * ni * eltBytes;
        Value swizzled = arith::XOrIOp::create(rewriter, loc, thread,
                                               c(colBytes % 128 / 16 * 16));
        for (int64_t h = 0; h < 2; ++h) {
          int64_t fixed =
              colBytes / 128 * rows * 128 + layout.rowDistance(mi, h) * 128;
          Value bytes = addIndex(rewriter, loc, swizzled, c(fixed));
          Value pair = vector::ExtractOp::create(
              rewriter, loc, pieces[mi * layout.colAtoms() + ni], h);
          Value word = vector::ExtractOp::create(
              rewriter, loc,
              vector::BitCastOp::create(rewriter, loc, i32x1, pair), 0);
          LLVM::StoreOp::create(rewriter, loc, word,
                                offsetPointer(rewriter, loc, slot, bytes),
                                /*alignment=*/4);
        }
      }
    NVVM::FenceProxyOp::create(
        rewriter, loc, NVVM::ProxyKind::async_shared,
        NVVM::SharedSpaceAttr::get(rewriter.getContext(),
                                   NVVM::SharedSpace::shared_cta));
    rewriter.eraseOp(op);
    return success();
  }
};

struct AllocMBarrierLowering : OpConversionPattern<tile::AllocMBarrierOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::AllocMBarrierOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    std::optional<int64_t> offset = op.getOffset();
    tile::ConfigAttr config = kernelConfigOf(op);
    if (!offset || !config)
      return rewriter.notifyMatchFailure(
          op, "no offset or no #tile.config on the kernel");
    Location loc = op.getLoc();
    Value base = sharedPointer(rewriter, loc, *offset);
    int64_t arrivals =
        op.getKind() == tile::BarrierKind::copy ? 1 : config.computeWarps();
    ThreadIds ids = ThreadIds::get(rewriter, loc);
    ifFirstThread(rewriter, loc, ids.thread, [&] {
      Value count = i32Constant(rewriter, loc, arrivals);
      for (int64_t s = 0; s < op.getType().getSlots(); ++s)
        NVVM::MBarrierInitOp::create(
            rewriter, loc, offsetPointer(rewriter, loc, base, 8 * s), count,
            /*predicate=*/Value());
      // Visible to the async proxy (TMA's complete-tx) as well.
      NVVM::FenceMbarrierInitOp::create(rewriter, loc);
    });
    rewriter.replaceOp(op, base);
    return success();
  }
};

Value barrierAt(OpBuilder &b, Location loc, Value ring, Value slot) {
  return offsetPointer(b, loc, ring, mulIndex(b, loc, slot, 8));
}

struct MBarrierWaitLowering : OpConversionPattern<tile::MBarrierWaitOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::MBarrierWaitOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value bar = barrierAt(rewriter, loc, adaptor.getBarrier(),
                          adaptor.getSlot());
    NVVM::MBarrierTryWaitParityOp::create(
        rewriter, loc, bar, toI32(rewriter, loc, adaptor.getParity()),
        i32Constant(rewriter, loc, kWaitTicks));
    rewriter.eraseOp(op);
    return success();
  }
};

struct MBarrierArriveLowering : OpConversionPattern<tile::MBarrierArriveOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::MBarrierArriveOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ThreadIds ids = ThreadIds::get(rewriter, loc);
    // Every lane of the warp is done with the slot before its one arrival.
    NVVM::SyncWarpOp::create(rewriter, loc, i32Constant(rewriter, loc, -1));
    Value bar = barrierAt(rewriter, loc, adaptor.getBarrier(),
                          adaptor.getSlot());
    ifFirstThread(rewriter, loc, ids.lane, [&] {
      NVVM::MBarrierArriveOp::create(rewriter, loc, rewriter.getI64Type(), bar,
                                     /*count=*/Value());
    });
    rewriter.eraseOp(op);
    return success();
  }
};

struct TmaLoadLowering : OpConversionPattern<tile::TmaLoadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::TmaLoadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    tile::TensorMapType map = op.getMap().getType();
    tile::BufferType buffer = op.getBuffer().getType();
    int64_t slotBytes = buffer.getSizeInBytes() / buffer.getSlots();
    int64_t boxes = buffer.getCols() / map.getCols();
    ThreadIds ids = ThreadIds::get(rewriter, loc);
    Value slot = adaptor.getSlot();
    Value bar = barrierAt(rewriter, loc, adaptor.getBarrier(), slot);
    Value dst = offsetPointer(rewriter, loc, adaptor.getBuffer(),
                              mulIndex(rewriter, loc, slot, slotBytes));
    ifFirstThread(rewriter, loc, ids.lane, [&] {
      NVVM::MBarrierArriveExpectTxOp::create(
          rewriter, loc, /*res=*/Type(), bar,
          i32Constant(rewriter, loc, slotBytes), NVVM::MemScopeKind::CTA,
          /*relaxed=*/false, /*predicate=*/Value());
      // The shared::cluster form of PTX 8.0 takes a cluster address.
      auto clusterPtr = LLVM::LLVMPointerType::get(rewriter.getContext(), 7);
      Value row = toI32(rewriter, loc, adaptor.getRow());
      // Coordinates innermost first: column, row, then the leading indices
      // from the innermost out.
      SmallVector<Value> leading;
      for (Value index : llvm::reverse(adaptor.getMatrix()))
        leading.push_back(toI32(rewriter, loc, index));
      for (int64_t box = 0; box < boxes; ++box) {
        Value to = LLVM::AddrSpaceCastOp::create(
            rewriter, loc, clusterPtr,
            offsetPointer(rewriter, loc, dst, box * map.getBoxBytes()));
        Value col = toI32(rewriter, loc,
                          addIndex(rewriter, loc, adaptor.getCol(),
                                   indexConstant(rewriter, loc,
                                                 box * map.getCols())));
        SmallVector<Value> coordinates = {col, row};
        llvm::append_range(coordinates, leading);
        NVVM::CpAsyncBulkTensorGlobalToSharedClusterOp::create(
            rewriter, loc, to, adaptor.getMap(), coordinates,
            bar, /*im2colOffsets=*/ValueRange{}, /*multicastMask=*/Value(),
            /*l2CacheHint=*/Value(), NVVM::TMALoadMode::TILE,
            /*isCTAOnly=*/false, /*group=*/nullptr, /*predicate=*/Value());
      }
    });
    rewriter.eraseOp(op);
    return success();
  }
};

/// tile.bulk_load: one thread expects the vector's bytes on the slot's
/// barrier and starts one bulk copy (no tensor map) of them into the slot.
struct BulkLoadLowering : OpConversionPattern<tile::BulkLoadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::BulkLoadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto alloc = op.getBuffer().getDefiningOp<tile::AllocSharedOp>();
    if (!alloc || !alloc.getOffset())
      return rewriter.notifyMatchFailure(
          op, "the buffer is not an allocation placed by attn-allocate-shared");
    Location loc = op.getLoc();
    tile::BufferType buffer = op.getBuffer().getType();
    int64_t slotBytes = buffer.getSizeInBytes() / buffer.getSlots();
    ThreadIds ids = ThreadIds::get(rewriter, loc);
    Value slot = adaptor.getSlot();
    Value bar = barrierAt(rewriter, loc, adaptor.getBarrier(), slot);
    Value dst = offsetPointer(rewriter, loc,
                              sharedPointer(rewriter, loc, *alloc.getOffset()),
                              mulIndex(rewriter, loc, slot, slotBytes));
    // The vector's global address: packed rows, static sizes (verified).
    Value from = globalElementPointer(
        rewriter, loc, cast<MemRefType>(op.getSource().getType()),
        memref::ExtractAlignedPointerAsIndexOp::create(rewriter, loc,
                                                       adaptor.getSource()),
        adaptor.getIndices());
    ifFirstThread(rewriter, loc, ids.lane, [&] {
      NVVM::MBarrierArriveExpectTxOp::create(
          rewriter, loc, /*res=*/Type(), bar,
          i32Constant(rewriter, loc, slotBytes), NVVM::MemScopeKind::CTA,
          /*relaxed=*/false, /*predicate=*/Value());
      // The shared::cluster form of PTX 8.0 takes a cluster address.
      Value to = LLVM::AddrSpaceCastOp::create(
          rewriter, loc, LLVM::LLVMPointerType::get(rewriter.getContext(), 7),
          dst);
      NVVM::CpAsyncBulkGlobalToSharedClusterOp::create(
          rewriter, loc, to, from, bar, i32Constant(rewriter, loc, slotBytes),
          /*multicastMask=*/Value(), /*l2CacheHint=*/Value());
    });
    rewriter.eraseOp(op);
    return success();
  }
};

struct WarpSpecializeLowering : OpConversionPattern<tile::WarpSpecializeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::WarpSpecializeOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    tile::ConfigAttr config = kernelConfigOf(op);
    if (!config || !config.isWarpSpecialized())
      return rewriter.notifyMatchFailure(op, "the kernel has no producer "
                                             "warps");
    Location loc = op.getLoc();
    ThreadIds ids = ThreadIds::get(rewriter, loc);
    Value firstProducer = indexConstant(rewriter, loc, config.computeWarps());
    Value isCompute = arith::CmpIOp::create(
        rewriter, loc, arith::CmpIPredicate::ult, ids.warp, firstProducer);
    auto split = scf::IfOp::create(rewriter, loc, isCompute,
                                   /*withElseRegion=*/true);
    // Compute warps: more registers, then the compute region.
    rewriter.setInsertionPoint(split.thenBlock()->getTerminator());
    NVVM::SetMaxRegisterOp::create(rewriter, loc, op.getComputeRegisters(),
                                   NVVM::SetMaxRegisterAction::increase);
    rewriter.inlineBlockBefore(&op.getCompute().front(),
                               split.thenBlock()->getTerminator());
    // Producer warpgroup: fewer registers; its first warp runs the region.
    rewriter.setInsertionPoint(split.elseBlock()->getTerminator());
    NVVM::SetMaxRegisterOp::create(rewriter, loc, op.getProducerRegisters(),
                                   NVVM::SetMaxRegisterAction::decrease);
    Value isIssuer = arith::CmpIOp::create(
        rewriter, loc, arith::CmpIPredicate::eq, ids.warp, firstProducer);
    auto issuer =
        scf::IfOp::create(rewriter, loc, isIssuer, /*withElseRegion=*/false);
    // The descriptors are read at the first copy of each map: fetch them now,
    // while the compute warps resize their registers.
    rewriter.setInsertionPoint(issuer.thenBlock()->getTerminator());
    llvm::SetVector<Value> maps;
    op.getProducer().walk([&](tile::TmaLoadOp load) {
      maps.insert(rewriter.getRemappedValue(load.getMap()));
    });
    for (Value map : maps)
      if (map)
        LLVM::InlineAsmOp::create(
            rewriter, loc, TypeRange(), ValueRange{map},
            "prefetch.tensormap [$0];", "l", /*has_side_effects=*/true,
            /*is_align_stack=*/false, LLVM::tailcallkind::TailCallKind::None,
            LLVM::AsmDialectAttr::get(rewriter.getContext(),
                                      LLVM::AsmDialect::AD_ATT),
            /*operand_attrs=*/ArrayAttr());
    rewriter.inlineBlockBefore(&op.getProducer().front(),
                               issuer.thenBlock()->getTerminator());
    rewriter.eraseOp(op);
    return success();
  }
};

/// Each warpgroup's turn barrier (kFirstTurnBarrier + warpgroup) has 256
/// participants: the 128 threads of the warpgroup waiting for its turn and
/// the 128 of the one handing it over.
constexpr int64_t kTurnThreads = 256;

/// The calling thread's compute warpgroup and the kernel's count of them.
std::pair<Value, int64_t> warpgroupOf(ConversionPatternRewriter &rewriter,
                                      Operation *op) {
  Location loc = op->getLoc();
  ThreadIds ids = ThreadIds::get(rewriter, loc);
  Value group = arith::DivUIOp::create(rewriter, loc, ids.warp,
                                       indexConstant(rewriter, loc, 4));
  tile::ConfigAttr config = kernelConfigOf(op);
  return {group, config ? config.computeWarps() / 4 : 0};
}

Value turnBarrier(OpBuilder &b, Location loc, Value group) {
  return toI32(b, loc, addIndex(b, loc, group,
                                indexConstant(b, loc, kFirstTurnBarrier)));
}

struct MmaTurnStartLowering : OpConversionPattern<tile::MmaTurnStartOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::MmaTurnStartOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto [group, groups] = warpgroupOf(rewriter, op);
    if (groups < 2)
      return rewriter.notifyMatchFailure(op, "fewer than 2 warpgroups");
    // The last warpgroup hands warpgroup 0 its first turn.
    Value last = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq,
                                       group,
                                       indexConstant(rewriter, loc, groups - 1));
    auto branch = scf::IfOp::create(rewriter, loc, last, false);
    rewriter.setInsertionPoint(branch.thenBlock()->getTerminator());
    NVVM::BarrierArriveOp::create(
        rewriter, loc, turnBarrier(rewriter, loc, indexConstant(rewriter, loc, 0)),
        i32Constant(rewriter, loc, kTurnThreads));
    rewriter.eraseOp(op);
    return success();
  }
};

struct MmaTurnWaitLowering : OpConversionPattern<tile::MmaTurnWaitOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::MmaTurnWaitOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto [group, groups] = warpgroupOf(rewriter, op);
    if (groups < 2)
      return rewriter.notifyMatchFailure(op, "fewer than 2 warpgroups");
    NVVM::BarrierOp::create(rewriter, loc, /*res=*/Type(),
                            turnBarrier(rewriter, loc, group),
                            i32Constant(rewriter, loc, kTurnThreads),
                            /*reductionOp=*/nullptr,
                            /*reductionPredicate=*/Value());
    rewriter.eraseOp(op);
    return success();
  }
};

struct MmaTurnPassLowering : OpConversionPattern<tile::MmaTurnPassOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::MmaTurnPassOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto [group, groups] = warpgroupOf(rewriter, op);
    if (groups < 2)
      return rewriter.notifyMatchFailure(op, "fewer than 2 warpgroups");
    Value next = arith::RemUIOp::create(
        rewriter, loc, addIndex(rewriter, loc, group, indexConstant(rewriter, loc, 1)),
        indexConstant(rewriter, loc, groups));
    NVVM::BarrierArriveOp::create(rewriter, loc,
                                  turnBarrier(rewriter, loc, next),
                                  i32Constant(rewriter, loc, kTurnThreads));
    rewriter.eraseOp(op);
    return success();
  }
};

} // namespace

void attn::tilegpu::populateTmaPatterns(const TypeConverter &converter,
                                        RewritePatternSet &patterns) {
  patterns.add<SwizzledAllocLowering, SwizzledSlotLowering,
               SwizzledLocalStoreLowering, AllocMBarrierLowering,
               MBarrierWaitLowering, MBarrierArriveLowering, TmaLoadLowering,
               BulkLoadLowering, WarpSpecializeLowering, MmaTurnStartLowering,
               MmaTurnWaitLowering, MmaTurnPassLowering>(converter,
                                                         patterns.getContext());
}

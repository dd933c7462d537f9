//===- ShrinkBufferLifetimes.cpp - Allocate late, free early ---------------===//
//
// Ownership-based deallocation frees a buffer at the end of the block that
// allocated it, and buffer hoisting moves allocations to the top: in a model's
// single-block entry function every intermediate buffer of every layer is
// then live at once, so peak memory grows with the depth and the sequence
// length. Moving each allocation down to its first use and each dealloc up
// to its last use (through every view of the buffer) lets the runtime's
// block cache hand the same memory to the next layer.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"

namespace slm {
#define GEN_PASS_DEF_SHRINKBUFFERLIFETIMES
#include "passes/Passes.h.inc"
} // namespace slm

using namespace mlir;

namespace {

struct UseRange {
  Operation *first = nullptr;
  Operation *last = nullptr;
};

/// The first and last ops of `block` that use `buffer` or a memref derived
/// from it (a view, or a result of an op that touches it); none when the
/// buffer escapes in a form whose lifetime cannot be followed (its address
/// taken as an integer, a cast out of the memref type system, a block
/// terminator, a second dealloc) or is used outside `block`.
std::optional<UseRange> useRange(Value buffer, memref::DeallocOp dealloc, Block *block) {
  UseRange range;
  SmallVector<Value> aliases{buffer};
  DenseSet<Value> seen{buffer};
  auto addAliases = [&](Operation *op) {
    for (Value result : op->getResults())
      if (isa<BaseMemRefType>(result.getType()) && seen.insert(result).second)
        aliases.push_back(result);
  };
  while (!aliases.empty()) {
    Value value = aliases.pop_back_val();
    for (Operation *user : value.getUsers()) {
      if (user == dealloc.getOperation())
        continue;
      if (isa<memref::DeallocOp, memref::ExtractAlignedPointerAsIndexOp,
              UnrealizedConversionCastOp>(user) ||
          user->hasTrait<OpTrait::IsTerminator>() && user->getBlock() == block)
        return std::nullopt;
      Operation *anchor = block->findAncestorOpInBlock(*user);
      if (!anchor)
        return std::nullopt;
      addAliases(user);
      if (anchor != user)
        addAliases(anchor); // e.g. a loop yielding a view of the buffer
      if (value == buffer && (!range.first || anchor->isBeforeInBlock(range.first)))
        range.first = anchor;
      if (!range.last || range.last->isBeforeInBlock(anchor))
        range.last = anchor;
    }
  }
  if (!range.first)
    return std::nullopt;
  return range;
}

struct ShrinkBufferLifetimesPass
    : slm::impl::ShrinkBufferLifetimesBase<ShrinkBufferLifetimesPass> {
  void runOnOperation() override {
    SmallVector<memref::DeallocOp> deallocs;
    getOperation().walk([&](memref::DeallocOp op) { deallocs.push_back(op); });
    for (memref::DeallocOp dealloc : deallocs) {
      auto alloc = dealloc.getMemref().getDefiningOp<memref::AllocOp>();
      Block *block = dealloc->getBlock();
      if (!alloc || alloc->getBlock() != block)
        continue;
      std::optional<UseRange> range = useRange(alloc, dealloc, block);
      if (!range)
        continue;
      // The size operands dominate the alloc, so they dominate any later
      // position too.
      if (alloc->isBeforeInBlock(range->first))
        alloc->moveBefore(range->first);
      if (range->last->isBeforeInBlock(dealloc))
        dealloc->moveAfter(range->last);
    }
  }
};

} // namespace

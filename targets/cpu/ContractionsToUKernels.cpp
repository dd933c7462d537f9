//===- ContractionsToUKernels.cpp - matmul-like linalg ops to ukernel calls ===//
//
// See Passes.td (slm-cpu-ukernels). The match works on the LinalgOp
// interface, so linalg.matmul, linalg.batch_matmul and the contraction
// generics that linalg-fuse-elementwise-ops makes of them (it folds the
// surrounding reshapes into their maps: [?x?x64] x [64x2x16] -> [?x?x2x16])
// are one case: group the loops into batch / m / n / k, check that every
// operand lists its groups in the order of a row-major GEMM with each group
// contiguous, and pass the collapsed sizes and leading dims.
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/Passes.h"
#include "targets/cpu/UKernelCall.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace slm {
#define GEN_PASS_DEF_CPUCONTRACTIONSTOUKERNELS
#include "targets/cpu/Passes.h.inc"
} // namespace slm

using namespace mlir;

namespace {

constexpr int64_t kAccumulate = 1; // SLM_UK_ACCUMULATE
constexpr int64_t kTransB = 2;     // SLM_UK_TRANS_B

enum Group { Batch = 0, M = 1, N = 2, K = 3 };

/// A layout fact the memref types leave open, checked at run time: in
/// operand `operand`, strides[pos] == 1 (`unit`) or strides[pos] ==
/// strides[pos + 1] * sizes[pos + 1].
struct StrideCheck {
  int operand;
  int64_t pos;
  bool unit;
};

/// The loop dims of each group, in the order the operands list them.
struct Plan {
  SmallVector<unsigned> dims[4];
  SmallVector<StrideCheck> checks;
  /// Per operand (A, B, C): the position in the memref of each group's
  /// last dim, or -1 for an empty group.
  int64_t lastPos[3][4];
};

/// `out + a * b` (either order of each operand pair) on f32.
bool isMulAddBody(Block &block) {
  if (block.getNumArguments() != 3)
    return false;
  auto ops = block.without_terminator();
  if (std::distance(ops.begin(), ops.end()) != 2)
    return false;
  auto mul = dyn_cast<arith::MulFOp>(&*ops.begin());
  auto add = dyn_cast<arith::AddFOp>(&*std::next(ops.begin()));
  auto yield = dyn_cast<linalg::YieldOp>(block.getTerminator());
  if (!mul || !add || !yield || yield.getNumOperands() != 1 ||
      yield.getOperand(0) != add.getResult())
    return false;
  Value a = block.getArgument(0), b = block.getArgument(1), c = block.getArgument(2);
  bool mulOk = (mul.getLhs() == a && mul.getRhs() == b) ||
               (mul.getLhs() == b && mul.getRhs() == a);
  bool addOk = (add.getLhs() == c && add.getRhs() == mul.getResult()) ||
               (add.getLhs() == mul.getResult() && add.getRhs() == c);
  return mulOk && addOk;
}

/// Adds what it takes for dims `first..last` (memref positions) of operand
/// `which` to collapse into one: stride[i] == stride[i+1] * size[i+1], and
/// with `unitInner` stride[last] == 1. Facts the type decides are checked
/// here (false when one fails); the others become run-time checks (layouts
/// with dynamic strides: function arguments under a fully dynamic layout
/// map, views of them).
bool requireContiguous(MemRefType type, int which, int64_t first, int64_t last,
                       bool unitInner, Plan &plan) {
  if (type.getLayout().isIdentity())
    return true;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)))
    return false;
  if (unitInner) {
    if (ShapedType::isDynamic(strides[last]))
      plan.checks.push_back({which, last, true});
    else if (strides[last] != 1)
      return false;
  }
  for (int64_t i = first; i < last; ++i) {
    int64_t size = type.getDimSize(i + 1);
    if (ShapedType::isDynamic(strides[i]) || ShapedType::isDynamic(strides[i + 1]) ||
        ShapedType::isDynamic(size))
      plan.checks.push_back({which, i, false});
    else if (strides[i] != strides[i + 1] * size)
      return false;
  }
  return true;
}

/// Checks that operand `which` (0 = A, 1 = B, 2 = C) lists `order` groups
/// one after the other, each in the same dim order as `plan` (the first
/// operand that lists a group fixes its order), each contiguous; records
/// the groups' last positions.
bool checkOperand(AffineMap map, MemRefType type, ArrayRef<Group> order,
                  const DenseMap<unsigned, Group> &groupOf, Plan &plan,
                  SmallVectorImpl<bool> &fixed, int which) {
  SmallVector<unsigned> seen[4];
  SmallVector<int64_t> firstPos(4, -1);
  size_t at = 0; // index into `order`
  for (auto [pos, expr] : llvm::enumerate(map.getResults())) {
    auto dim = dyn_cast<AffineDimExpr>(expr);
    if (!dim)
      return false;
    auto it = groupOf.find(dim.getPosition());
    if (it == groupOf.end())
      return false;
    Group g = it->second;
    while (at < order.size() && order[at] != g)
      ++at;
    if (at == order.size())
      return false; // a group out of order
    if (firstPos[g] < 0)
      firstPos[g] = int64_t(pos);
    seen[g].push_back(dim.getPosition());
  }
  for (int g = 0; g < 4; ++g)
    plan.lastPos[which][g] = -1;
  for (Group g : order) {
    if (seen[g].size() != plan.dims[g].size())
      return false;
    if (!fixed[g]) {
      plan.dims[g].assign(seen[g].begin(), seen[g].end());
      fixed[g] = true;
    } else if (!llvm::equal(seen[g], plan.dims[g])) {
      return false;
    }
    if (seen[g].empty())
      continue;
    int64_t first = firstPos[g], last = first + int64_t(seen[g].size()) - 1;
    plan.lastPos[which][g] = last;
    // The innermost dim (the columns of the collapsed 2-D operand) needs
    // unit stride.
    bool innermost = last == type.getRank() - 1;
    if (!requireContiguous(type, which, first, last, innermost, plan))
      return false;
  }
  return true;
}

/// The buffer a whole-buffer view (reshape or cast) looks at.
Value viewedBuffer(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (auto e = dyn_cast<memref::ExpandShapeOp>(def))
      v = e.getSrc();
    else if (auto c = dyn_cast<memref::CollapseShapeOp>(def))
      v = c.getSrc();
    else if (auto c = dyn_cast<memref::CastOp>(def))
      v = c.getSource();
    else
      break;
  }
  return v;
}

std::optional<Plan> matchContraction(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op->getNumRegions() != 1 ||
      op->getRegion(0).empty())
    return std::nullopt;
  // The kernel's C must not overlap A or B.
  Value out = viewedBuffer(op.getDpsInitOperand(0)->get());
  for (OpOperand *input : op.getDpsInputOperands())
    if (viewedBuffer(input->get()) == out)
      return std::nullopt;
  SmallVector<MemRefType> types;
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    if (!type || !type.getElementType().isF32())
      return std::nullopt;
    types.push_back(type);
  }
  if (!isMulAddBody(*op.getBlock()))
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  for (AffineMap map : maps)
    if (!map.isProjectedPermutation(/*allowZeroInResults=*/false))
      return std::nullopt;
  FailureOr<linalg::ContractionDimensions> cd = linalg::inferContractionDims(op);
  if (failed(cd) || cd->k.empty())
    return std::nullopt;
  // Every loop in exactly one group; the k loops are the reductions.
  DenseMap<unsigned, Group> groupOf;
  Plan plan;
  auto add = [&](ArrayRef<unsigned> dims, Group g) {
    for (unsigned d : dims) {
      groupOf[d] = g;
      plan.dims[g].push_back(d);
    }
  };
  add(cd->batch, Batch);
  add(cd->m, M);
  add(cd->n, N);
  add(cd->k, K);
  if (groupOf.size() != op.getNumLoops())
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (auto [d, g] : groupOf)
    if ((iterators[d] == utils::IteratorType::reduction) != (g == K))
      return std::nullopt;
  SmallVector<bool> fixed(4, false);
  if (!checkOperand(maps[0], types[0], {Batch, M, K}, groupOf, plan, fixed, 0) ||
      !checkOperand(maps[1], types[1], {Batch, K, N}, groupOf, plan, fixed, 1) ||
      !checkOperand(maps[2], types[2], {Batch, M, N}, groupOf, plan, fixed, 2))
    return std::nullopt;
  return plan;
}

/// Every use of `v` and of the views of it, views excluded.
void collectUses(Value v, SmallVectorImpl<OpOperand *> &uses) {
  for (OpOperand &use : v.getUses()) {
    Operation *user = use.getOwner();
    if (isa<memref::ExpandShapeOp, memref::CollapseShapeOp, memref::CastOp>(user))
      collectUses(user->getResult(0), uses);
    else
      uses.push_back(&use);
  }
}

bool isZeroFill(linalg::FillOp fill) {
  return fill.hasPureBufferSemantics() &&
         matchPattern(fill.getDpsInputOperand(0)->get(), m_AnyZeroFloat());
}

/// The zero fill of `buffer` (an allocation) when it is all that writes it
/// up to `op`: the fill comes before `op` in its block, and every other use
/// is a copy out of the buffer, its dealloc, a memref.dim or an op after
/// `op` in the block (views other than whole-buffer reshapes, and the
/// address of the buffer taken for a kernel call, count as writers) (buffers of zeros are shared: the last user may write in place).
linalg::FillOp zeroFilledBuffer(Value buffer, Operation *op) {
  if (!buffer.getDefiningOp<memref::AllocOp>())
    return nullptr;
  SmallVector<OpOperand *> uses;
  collectUses(buffer, uses);
  linalg::FillOp fill;
  for (OpOperand *use : uses) {
    Operation *user = use->getOwner();
    if (auto f = dyn_cast<linalg::FillOp>(user)) {
      if (fill || !isZeroFill(f))
        return nullptr;
      fill = f;
    } else if (auto copy = dyn_cast<memref::CopyOp>(user)) {
      if (use->get() != copy.getSource())
        return nullptr;
    } else if (!isa<memref::DeallocOp, memref::DimOp>(user) &&
               !(user->getBlock() == op->getBlock() && op->isBeforeInBlock(user))) {
      return nullptr;
    }
  }
  if (!fill || fill->getBlock() != op->getBlock() || !fill->isBeforeInBlock(op))
    return nullptr;
  return fill;
}

/// How the output of a contraction got its zeros, when it did.
struct ZeroInit {
  /// The op that wrote them, to erase: a zero fill of the output buffer, or
  /// a copy into it from a buffer that only ever holds zeros.
  Operation *writer = nullptr;
  /// For a copy: the fill of its source (erased once nothing reads it).
  linalg::FillOp sourceFill;
};

/// The zero initialization of all of `out` right before `op`: walking back
/// over ops that cannot touch it (views, index arithmetic, allocations),
/// the first op with memory effects is a zero fill of `out`'s buffer, or a
/// copy into it from a zero-filled buffer.
ZeroInit findZeroInit(Operation *op, Value out) {
  Value buffer = viewedBuffer(out);
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    if (auto fill = dyn_cast<linalg::FillOp>(prev)) {
      if (viewedBuffer(fill.getDpsInitOperand(0)->get()) != buffer || !isZeroFill(fill))
        return {};
      return {fill, nullptr};
    }
    if (auto copy = dyn_cast<memref::CopyOp>(prev)) {
      if (viewedBuffer(copy.getTarget()) != buffer)
        return {};
      linalg::FillOp fill = zeroFilledBuffer(viewedBuffer(copy.getSource()), copy);
      if (!fill)
        return {};
      return {copy, fill};
    }
    if (isMemoryEffectFree(prev) || isa<memref::AllocOp, memref::AllocaOp>(prev))
      continue;
    return {};
  }
  return {};
}

/// The transpose that wrote B when B is a 2-D [K, N] buffer filled by
/// `linalg.transpose ins(W : [N, K]) permutation = [1, 0]` before `op` and
/// otherwise only read (a tied embedding matrix used as the lm_head): the
/// kernel can read W itself (SLM_UK_TRANS_B) and the copy can go.
/// Whether an op strictly between `from` and `to` (one block) may write
/// `root`'s buffer. `writes` gives the buffers the calls this pass created
/// write (they carry no memory effect interface).
bool mayWriteBetween(Operation *from, Operation *to, Value root,
                     const DenseMap<Operation *, Value> &writes) {
  for (Operation *op = from->getNextNode(); op && op != to; op = op->getNextNode()) {
    if (isMemoryEffectFree(op))
      continue;
    auto known = writes.find(op);
    if (known != writes.end()) {
      if (viewedBuffer(known->second) == root)
        return true;
      continue;
    }
    auto iface = dyn_cast<MemoryEffectOpInterface>(op);
    if (!iface)
      return true;
    SmallVector<MemoryEffects::EffectInstance> effects;
    iface.getEffects(effects);
    for (auto &effect : effects) {
      if (!isa<MemoryEffects::Write>(effect.getEffect()))
        continue;
      Value v = effect.getValue();
      if (!v || viewedBuffer(v) == root)
        return true;
    }
  }
  return false;
}

linalg::TransposeOp findTransposedB(linalg::LinalgOp op, const Plan &plan, Value b,
                                    const DenseMap<Operation *, Value> &writes) {
  auto type = cast<MemRefType>(b.getType());
  if (!plan.dims[Batch].empty() || plan.dims[K].size() != 1 || plan.dims[N].size() != 1 ||
      type.getRank() != 2 || !type.getLayout().isIdentity() ||
      !b.getDefiningOp<memref::AllocOp>())
    return nullptr;
  SmallVector<OpOperand *> uses;
  collectUses(b, uses);
  linalg::TransposeOp transpose;
  for (OpOperand *use : uses) {
    Operation *user = use->getOwner();
    if (auto t = dyn_cast<linalg::TransposeOp>(user)) {
      if (t.getInit() != b || !llvm::equal(t.getPermutation(), ArrayRef<int64_t>{1, 0}) ||
          !t.hasPureBufferSemantics())
        return nullptr;
      // One in `op`'s block; others are copies of it (fallback branches).
      if (transpose && transpose.getInput() != t.getInput())
        return nullptr;
      if (t->getBlock() == op->getBlock()) {
        if (transpose && transpose->getBlock() == op->getBlock())
          return nullptr;
        transpose = t;
      } else if (!transpose) {
        transpose = t;
      }
      continue;
    }
    if (isa<memref::DeallocOp, memref::DimOp>(user))
      continue;
    auto reader = dyn_cast<linalg::LinalgOp>(user);
    if (reader && reader.isDpsInput(use))
      continue;
    return nullptr;
  }
  if (!transpose || transpose->getBlock() != op->getBlock() ||
      !transpose->isBeforeInBlock(op))
    return nullptr;
  // W must still hold what was transposed.
  if (mayWriteBetween(transpose, op, viewedBuffer(transpose.getInput()), writes))
    return nullptr;
  return transpose;
}

struct CpuContractionsToUKernelsPass
    : slm::impl::CpuContractionsToUKernelsBase<CpuContractionsToUKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::vector<std::pair<linalg::LinalgOp, Plan>> matches;
    module.walk([&](linalg::LinalgOp op) {
      if (auto plan = matchContraction(op))
        matches.emplace_back(op, *plan);
    });
    if (matches.empty())
      return;
    func::FuncOp callee = slm::cpu::declareKernel(module, symbolPrefix + "sgemm", 15);
    if (!callee)
      return signalPassFailure();
    SmallVector<linalg::FillOp> sourceFills;
    for (auto &[op, plan] : matches)
      rewrite(op, plan, callee, sourceFills);
    // Transposes whose buffers only the fallback branches read now.
    for (linalg::TransposeOp transpose : transposes) {
      SmallVector<OpOperand *> uses;
      collectUses(transpose.getInit(), uses);
      if (llvm::all_of(uses, [&](OpOperand *use) {
            Operation *user = use->getOwner();
            return user == transpose.getOperation() ||
                   isa<memref::DeallocOp, memref::DimOp>(user) || inFallback(user);
          }))
        transpose.erase();
    }
    // Zero fills whose copies all went: nothing reads their buffers now.
    for (linalg::FillOp fill : sourceFills) {
      if (!fill)
        continue;
      SmallVector<OpOperand *> uses;
      collectUses(viewedBuffer(fill.getDpsInitOperand(0)->get()), uses);
      if (llvm::all_of(uses, [](OpOperand *use) {
            Operation *user = use->getOwner();
            return isa<linalg::FillOp, memref::DeallocOp, memref::DimOp>(user);
          }))
        fill.erase();
    }
  }

  bool inFallback(Operation *op) const {
    for (Region *r = op->getParentRegion(); r; r = r->getParentRegion())
      if (fallbacks.contains(r))
        return true;
    return false;
  }

  // Else branches of the run-time layout checks (the ops as they were).
  llvm::DenseSet<Region *> fallbacks;
  // The kernel calls (or their guards) made so far and the buffer each
  // writes.
  DenseMap<Operation *, Value> callWrites;
  SmallVector<linalg::TransposeOp> transposes;

  void rewrite(linalg::LinalgOp op, const Plan &plan, func::FuncOp callee,
               SmallVectorImpl<linalg::FillOp> &sourceFills) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    Value operands[3] = {op.getDpsInputOperand(0)->get(),
                         op.getDpsInputOperand(1)->get(),
                         op.getDpsInitOperand(0)->get()};
    auto cst = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, loc, v);
    };
    Value zero = cst(0), one = cst(1);

    // B = transpose(W): read W as B^T instead, unless its layout rules it
    // out (W's rows must have unit stride).
    linalg::TransposeOp transposeB = findTransposedB(op, plan, operands[1], callWrites);
    StrideCheck transCheck{1, 1, true};
    bool transCheckAtRunTime = false;
    if (transposeB) {
      auto wType = cast<MemRefType>(transposeB.getInput().getType());
      SmallVector<int64_t> wStrides;
      int64_t wOffset;
      if (wType.getLayout().isIdentity()) {
      } else if (failed(wType.getStridesAndOffset(wStrides, wOffset)) ||
                 (!ShapedType::isDynamic(wStrides[1]) && wStrides[1] != 1)) {
        transposeB = nullptr;
      } else {
        transCheckAtRunTime = ShapedType::isDynamic(wStrides[1]);
      }
    }

    // Address, sizes and strides of each operand.
    Value address[3];
    SmallVector<Value> sizes[3], strides[3];
    for (int i = 0; i < 3; ++i) {
      Value source = i == 1 && transposeB ? transposeB.getInput() : operands[i];
      auto meta = memref::ExtractStridedMetadataOp::create(b, loc, source);
      Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, source);
      Value bytes = arith::MulIOp::create(b, loc, meta.getOffset(), cst(4));
      address[i] = arith::AddIOp::create(b, loc, base, bytes);
      sizes[i].assign(meta.getSizes().begin(), meta.getSizes().end());
      strides[i].assign(meta.getStrides().begin(), meta.getStrides().end());
    }
    // The size of group g (from an operand that has it) and the stride of
    // group g in operand i (its last dim's stride; 0 when i lacks it).
    auto groupSize = [&](Group g, int i) -> Value {
      Value size = one;
      int64_t last = plan.lastPos[i][g];
      for (size_t j = 0; j < plan.dims[g].size(); ++j) {
        int64_t pos = last - int64_t(plan.dims[g].size()) + 1 + int64_t(j);
        size = arith::MulIOp::create(b, loc, size, sizes[i][pos]);
      }
      return size;
    };
    auto groupStride = [&](Group g, int i, Value fallback) -> Value {
      int64_t last = plan.lastPos[i][g];
      return last < 0 ? fallback : strides[i][last];
    };
    Value batch = groupSize(Batch, 2);
    Value m = groupSize(M, 2);
    Value n = groupSize(N, 2);
    Value k = groupSize(K, 0);
    // Leading dims of the collapsed 2-D operands; with an empty row group
    // the kernel reads only row 0, so any value does.
    Value lda = groupStride(M, 0, k);
    Value ldb = transposeB ? strides[1][0] : groupStride(K, 1, n);
    Value ldc = groupStride(M, 2, n);

    ZeroInit init = findZeroInit(op, operands[2]);
    Value flags = cst((init.writer ? 0 : kAccumulate) | (transposeB ? kTransB : 0));
    SmallVector<Value> args = {batch, m, n, k,
                               address[0], groupStride(Batch, 0, zero), lda,
                               address[1], groupStride(Batch, 1, zero), ldb,
                               address[2], groupStride(Batch, 2, zero), ldc,
                               zero, flags}; // zero: no bias
    // Layout facts the types leave open: call the kernel when they hold (as
    // they do for the runtime's dense row-major buffers), else run the op
    // as it was.
    SmallVector<StrideCheck> checks(plan.checks);
    if (transCheckAtRunTime)
      checks.push_back(transCheck);
    Value ok;
    for (const StrideCheck &c : checks) {
      Value want = c.unit ? one
                          : arith::MulIOp::create(b, loc, strides[c.operand][c.pos + 1],
                                                  sizes[c.operand][c.pos + 1])
                                .getResult();
      Value eq = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                       strides[c.operand][c.pos], want);
      ok = ok ? arith::AndIOp::create(b, loc, ok, eq).getResult() : eq;
    }
    if (ok) {
      auto guard = scf::IfOp::create(b, loc, ok, /*withElseRegion=*/true);
      OpBuilder thenBuilder = guard.getThenBodyBuilder();
      func::CallOp::create(thenBuilder, loc, callee, args);
      OpBuilder elseBuilder = guard.getElseBodyBuilder();
      if (transposeB)
        elseBuilder.clone(*transposeB);
      if (init.writer)
        elseBuilder.clone(*init.writer);
      elseBuilder.clone(*op);
      fallbacks.insert(&guard.getElseRegion());
      callWrites[guard] = operands[2];
    } else {
      callWrites[func::CallOp::create(b, loc, callee, args)] = operands[2];
    }
    if (init.writer) {
      llvm::erase(sourceFills, dyn_cast<linalg::FillOp>(init.writer));
      init.writer->erase();
    }
    if (init.sourceFill && !llvm::is_contained(sourceFills, init.sourceFill))
      sourceFills.push_back(init.sourceFill);
    if (transposeB && !llvm::is_contained(transposes, transposeB))
      transposes.push_back(transposeB);
    op.erase();
  }
};

} // namespace

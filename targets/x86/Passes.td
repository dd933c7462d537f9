//===- Passes.td - x86 target passes -----------------------*- tablegen -*-===//
#ifndef SLMC_TARGETS_X86_PASSES_TD
#define SLMC_TARGETS_X86_PASSES_TD

include "mlir/Pass/PassBase.td"

def X86ContractionsToUKernels : Pass<"slm-x86-ukernels", "mlir::ModuleOp"> {
  let summary = "Call the x86 fp32 GEMM/GEMV micro-kernels for matmul-like linalg ops";
  let description = [{
    Runs on bufferized IR. Every f32 `linalg.matmul`, `linalg.batch_matmul`
    and contraction `linalg.generic` (body `out + a * b`, projected
    permutation maps, as elementwise fusion leaves matmuls after it folds
    reshapes into them) whose operands group into

      A[batch..., m..., k...]  B[batch..., k..., n...]  C[batch..., m..., n...]

    with each group contiguous in its memref and unit stride innermost,
    becomes a call of

      slm_x86_sgemm(batch, M, N, K, A, strideA, lda, B, strideB, ldb,
                    C, strideC, ldc, flags)

    (targets/x86/ukernels/ukernels.h), every argument an `index`: addresses
    from `memref.extract_aligned_pointer_as_index` plus the offset, sizes
    and strides from `memref.extract_strided_metadata`. The function is
    declared private here; its definition comes from the micro-kernel
    bitcode linked into the model.

    Contiguity the memref types prove (identity layouts, static strides)
    needs nothing more; where strides are dynamic (function arguments under
    a fully dynamic layout map, views of them) the call is guarded by
    `scf.if` on the run-time strides, with the original op (and its zero
    init) in the else branch.

    linalg ops accumulate into C. When the op's output buffer was last
    written by a `linalg.fill` with 0.0 (the lowering's zero init: no op
    with memory effects in between, the output a whole-buffer reshape of
    the filled one), the fill is dropped and the kernel overwrites C
    (flags = 0); otherwise it accumulates (flags = 1).
  }];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::memref::MemRefDialect",
                           "mlir::arith::ArithDialect", "mlir::scf::SCFDialect"];
}

#endif // SLMC_TARGETS_X86_PASSES_TD

//===- Passes.td - CPU micro-kernel call passes -------------*- tablegen -*-===//
//
// Shared by the CPU targets (x86, arm64): each implements the micro-kernel
// ABI of targets/x86/ukernels/ukernels.h and attention.h (every parameter an
// int64, the same flags and format codes) under its own symbol prefix
// (slm_x86_sgemm, slm_arm64_sgemm, ...), given as the passes' option.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_TARGETS_CPU_PASSES_TD
#define SLMC_TARGETS_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def CpuContractionsToUKernels : Pass<"slm-cpu-ukernels", "mlir::ModuleOp"> {
  let summary = "Call the fp32 GEMM/GEMV micro-kernels for matmul-like linalg ops";
  let description = [{
    Runs on bufferized IR. Every f32 `linalg.matmul`, `linalg.batch_matmul`
    and contraction `linalg.generic` (body `out + a * b`, projected
    permutation maps, as elementwise fusion leaves matmuls after it folds
    reshapes into them) whose operands group into

      A[batch..., m..., k...]  B[batch..., k..., n...]  C[batch..., m..., n...]

    with each group contiguous in its memref and unit stride innermost,
    becomes a call of

      <prefix>sgemm(batch, M, N, K, A, strideA, lda, B, strideB, ldb,
                    C, strideC, ldc, bias, flags)

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
    (flags = 0); otherwise it accumulates (flags = 1). `bias` (the address
    of N floats added to every row, or 0) is 0 here, and so are the
    activation bits of `flags` (SLM_UK_ACT_*, bits 3-4: C = act(A B + bias)
    in the kernels' store).
  }];
  let options = [Option<"symbolPrefix", "symbol-prefix", "std::string", /*default=*/"\"slm_x86_\"",
                         "the target's kernel names start with this (slm_x86_, slm_arm64_)">];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::memref::MemRefDialect",
                           "mlir::arith::ArithDialect", "mlir::scf::SCFDialect"];
}

def CpuLinearToUKernels : Pass<"slm-cpu-linear-ukernels", "mlir::ModuleOp"> {
  let summary = "Call the GEMM/GEMV micro-kernels for slm.linear_kernel (epilogue included)";
  let description = [{
    Runs on bufferized IR. Each `slm.linear_kernel` on memrefs becomes, for
    a quantized weight,

      <prefix>qmatmul(M, N, K, A, lda, W, C, ldc, format, group, bias, flags)

    (format and group from the weight's scheme; int8 activations per row for
    schemes that quantize them, w8a8-dynamic), and for an f32 weight

      <prefix>sgemm(1, M, N, K, A, 0, lda, W, 0, ldw, C, 0, ldc, bias, flags)

    (SLM_UK_TRANS_B for transposed_weight). The epilogue travels in the
    call (targets/x86/ukernels/ukernels.h): `bias` is the address of N
    floats or 0, `flags` carries the activation (SLM_UK_ACT_*) and, for a
    residual accumulated into init, SLM_UK_ACCUMULATE. A, W, C and the bias
    must have unit inner stride (checked at run time with cf.assert: the
    lowering collapses rows of dense tensors). Each `slm.quantized_gather`
    (embedding rows) becomes

      <prefix>qgather(count, ids, N, K, W, out, format, group)
  }];
  let options = [Option<"symbolPrefix", "symbol-prefix", "std::string", /*default=*/"\"slm_x86_\"",
                         "the target's kernel names start with this (slm_x86_, slm_arm64_)">];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::memref::MemRefDialect",
                           "mlir::arith::ArithDialect", "mlir::cf::ControlFlowDialect"];
}

def CpuAttentionToUKernel : Pass<"slm-cpu-attention", "mlir::ModuleOp"> {
  let summary = "Call the attention micro-kernel for slm.attention_core";
  let description = [{
    Runs on bufferized IR. Each `slm.attention_core` on memrefs (f32, static
    head counts, head dim <= 256) becomes a call of <prefix>attention
    (targets/x86/ukernels/attention.h) with the sizes, addresses and strides
    of q, the present K/V buffers (views of the KV cache: read in place),
    the output and the optional i64 attention_mask. The head dim must have
    unit stride (checked at run time with cf.assert).
  }];
  let options = [Option<"symbolPrefix", "symbol-prefix", "std::string", /*default=*/"\"slm_x86_\"",
                         "the target's kernel names start with this (slm_x86_, slm_arm64_)">];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::memref::MemRefDialect",
                           "mlir::arith::ArithDialect", "mlir::cf::ControlFlowDialect"];
}

#endif // SLMC_TARGETS_CPU_PASSES_TD

/*===- slm/parallel.h - Runtime services for kernels --------------*- C -*-===*
 *
 * What a kernel library may call back into libslm_runtime.so for. Kernel
 * libraries reference these as undefined (weak) symbols, resolved when the
 * runtime dlopens them: an application must load libslm_runtime.so into the
 * global symbol scope (link it, or dlopen it with RTLD_GLOBAL), or kernels
 * run single-threaded.
 *
 *===----------------------------------------------------------------------===*/
#ifndef SLM_PARALLEL_H
#define SLM_PARALLEL_H

#include <stdint.h>

#include "slm/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Calls body(ctx, begin, end) on disjoint, contiguous ranges that cover
 * [0, n) and returns when all have run. Inside slm_session_run the ranges
 * are spread over the session's threads (slm_session_options.num_threads,
 * the calling thread included): [0, n) is cut into min(n, threads)
 * near-equal pieces, so each thread gets one long range. With one thread,
 * outside a run, or when called from inside a body, it calls
 * body(ctx, 0, n) on the calling thread. */
SLM_API void slm_rt_parallel_for(int64_t n,
                                 void (*body)(void *ctx, int64_t begin,
                                              int64_t end),
                                 void *ctx);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SLM_PARALLEL_H */

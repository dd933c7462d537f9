/*===- slm/runtime.h - Run compiled .slmpkg packages (C API) ------*- C -*-===*
 *
 * Open a package, check it and the host, create a session, run it:
 *
 *   slm_package *pkg;
 *   if (slm_package_open("model.slmpkg", 0, &pkg) != SLM_OK)
 *     fprintf(stderr, "%s\n", slm_last_error());
 *   slm_session *s;
 *   slm_session_create(pkg, NULL, &s);
 *   slm_tensor in[] = {{SLM_DTYPE_INT64, 2, dims, ids}, ...};
 *   slm_session_run(s, in, n);
 *   slm_tensor logits;
 *   slm_session_output(s, 0, &logits);
 *   slm_session_destroy(s);
 *   slm_package_close(pkg);
 *
 * Every function that can fail returns an slm_status; the message of the
 * last failure on the calling thread is slm_last_error(). Strings and
 * arrays returned by the package stay valid until slm_package_close; a
 * package must outlive its sessions. A session is used by one thread at a
 * time; sessions of one package may run concurrently.
 *
 *===----------------------------------------------------------------------===*/
#ifndef SLM_RUNTIME_H
#define SLM_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define SLM_API
#else
#define SLM_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum slm_status {
  SLM_OK = 0,
  /* The file cannot be opened, read or mapped. */
  SLM_ERROR_IO = 1,
  /* Not a package, truncated or corrupt. */
  SLM_ERROR_INVALID_PACKAGE = 2,
  /* A schema version this runtime cannot read. */
  SLM_ERROR_VERSION = 3,
  /* The host CPU lacks a feature the package needs (or the runtime does
   * not know how to check one). */
  SLM_ERROR_UNSUPPORTED_CPU = 4,
  /* The kernel library cannot be loaded or lacks its entry point. */
  SLM_ERROR_KERNEL_LOAD = 5,
  /* Wrong input count, dtype or shape; bad index; null pointer; a call
   * made in the wrong state. */
  SLM_ERROR_INVALID_ARGUMENT = 6,
  SLM_ERROR_OUT_OF_MEMORY = 7
} slm_status;

/* Element types: ONNX TensorProto.DataType codes. */
enum {
  SLM_DTYPE_FLOAT32 = 1,
  SLM_DTYPE_UINT8 = 2,
  SLM_DTYPE_INT8 = 3,
  SLM_DTYPE_UINT16 = 4,
  SLM_DTYPE_INT16 = 5,
  SLM_DTYPE_INT32 = 6,
  SLM_DTYPE_INT64 = 7,
  SLM_DTYPE_BOOL = 9,
  SLM_DTYPE_FLOAT16 = 10,
  SLM_DTYPE_FLOAT64 = 11,
  SLM_DTYPE_UINT32 = 12,
  SLM_DTYPE_UINT64 = 13,
  SLM_DTYPE_BFLOAT16 = 16
};

typedef struct slm_package slm_package;
typedef struct slm_session slm_session;

/* slm_package_open flags. */
/* Do not check the host CPU's features (the kernel may then fault). */
#define SLM_OPEN_SKIP_CPU_CHECK 0x1u
/* Inspect only: validate the header, but neither check the CPU nor load
 * the kernel; sessions cannot be created. */
#define SLM_OPEN_NO_KERNEL 0x2u
/* Also check the weight blob's checksum (reads every weight byte). */
#define SLM_OPEN_VERIFY_WEIGHTS 0x4u

/* A tensor passed to or returned by a run. Row-major and dense. */
typedef struct slm_tensor {
  int32_t dtype;
  int32_t rank;
  const int64_t *dims; /* rank values; may be NULL when rank is 0 */
  void *data;          /* may be NULL only when the tensor is empty */
} slm_tensor;

/* A graph input or output as the package declares it. */
typedef struct slm_tensor_info {
  const char *name;
  int32_t dtype;
  int32_t rank;
  const char *const *dims; /* symbolic: "64", "past_sequence_length + 1" */
} slm_tensor_info;

typedef struct slm_weight_info {
  const char *name;
  int32_t dtype;
  int32_t rank;
  const int64_t *dims;
  const void *data; /* inside the mapped package: 64-byte aligned */
  uint64_t size;    /* bytes */
} slm_weight_info;

typedef struct slm_package_info {
  uint32_t schema_version;
  const char *producer;
  const char *target;          /* "x86-64-v4" */
  const char *target_triple;   /* "x86_64-unknown-linux-gnu" */
  const char *target_cpu;      /* LLVM CPU name */
  const char *target_features; /* LLVM feature string: "+avx2,+fma,..." */
  size_t num_required_cpu_features;
  const char *const *required_cpu_features;
  size_t num_symbols;
  const char *const *symbols;
  size_t num_inputs;
  size_t num_outputs;
  size_t num_weights;
  size_t num_kv_cache_bindings;
  uint32_t context_limit; /* 0: unlimited */
  /* Dim expression of the total length; "" if none. */
  const char *context_length;
  uint64_t file_size;
  uint64_t weight_bytes; /* size of the weight blob */
  uint64_t kernel_bytes; /* size of the kernel library */
} slm_package_info;

typedef struct slm_session_options {
  /* Threads the kernels may use, the calling thread included; 0 = the
   * cores this process may run on. A session with more than one keeps a
   * pool of num_threads - 1 workers (started on the first parallel kernel)
   * that kernels use through slm_rt_parallel_for (slm/parallel.h). */
  int32_t num_threads;
} slm_session_options;

/* ---- errors and helpers ------------------------------------------------- */

/* The message of the last failed call on this thread ("" if none). Valid
 * until the next failing call on the same thread. */
SLM_API const char *slm_last_error(void);
SLM_API const char *slm_status_string(slm_status status);
/* The package schema version this runtime reads. */
SLM_API uint32_t slm_runtime_schema_version(void);
/* "float32", "int64", ...; NULL for an unknown code. */
SLM_API const char *slm_dtype_name(int32_t dtype);
/* Bytes per element; 0 for unknown and sub-byte types. */
SLM_API size_t slm_dtype_size(int32_t dtype);
/* 1 if the host CPU (and OS) supports the feature (LLVM spelling: "avx2",
 * "avx512f", "amx-int8"), 0 if not, -1 if the name is unknown. The
 * environment variable SLM_HIDE_CPU_FEATURES="avx512f,..." makes the
 * runtime treat the listed features as missing (for tests). */
SLM_API int slm_cpu_has_feature(const char *name);

/* ---- packages ----------------------------------------------------------- */

/* Maps and validates the package, checks the host CPU's features and
 * loads the kernel library (see the SLM_OPEN_* flags). */
SLM_API slm_status slm_package_open(const char *path, uint32_t flags,
                                    slm_package **out);
SLM_API void slm_package_close(slm_package *package);
SLM_API const slm_package_info *
slm_package_get_info(const slm_package *package);
SLM_API slm_status slm_package_input(const slm_package *package, size_t index,
                                     slm_tensor_info *out);
SLM_API slm_status slm_package_output(const slm_package *package, size_t index,
                                      slm_tensor_info *out);
/* Index of the input / output with this name, or -1. */
SLM_API int64_t slm_package_find_input(const slm_package *package,
                                       const char *name);
SLM_API int64_t slm_package_find_output(const slm_package *package,
                                        const char *name);
SLM_API slm_status slm_package_weight(const slm_package *package, size_t index,
                                      slm_weight_info *out);
/* Output `*output` of a decode step feeds input `*input` of the next. */
SLM_API slm_status slm_package_kv_cache_binding(const slm_package *package,
                                                size_t index, uint32_t *input,
                                                uint32_t *output);

/* ---- sessions ----------------------------------------------------------- */

SLM_API void slm_session_options_init(slm_session_options *options);
/* `options` may be NULL (defaults). */
SLM_API slm_status slm_session_create(slm_package *package,
                                      const slm_session_options *options,
                                      slm_session **out);
SLM_API void slm_session_destroy(slm_session *session);
SLM_API int32_t slm_session_num_threads(const slm_session *session);

/* Runs the model on one tensor per package input, in package order. Binds
 * the symbols from the input shapes, checks dtypes and shapes, allocates
 * the outputs (64-byte aligned; reused across runs while they fit) and
 * calls the kernel. Inputs that are not 64-byte aligned are copied. */
SLM_API slm_status slm_session_run(slm_session *session,
                                   const slm_tensor *inputs, size_t num_inputs);
/* Output `index` of the last successful run; `out` points into the
 * session and stays valid until the next run or slm_session_destroy. */
SLM_API slm_status slm_session_output(const slm_session *session, size_t index,
                                      slm_tensor *out);
/* The value symbol `index` had in the last successful run. */
/* Per-kernel time of packages built with `slmc compile --profile`: the
 * number of kernels (0 for other packages), switching it on (counters start
 * at zero), and one kernel's name, calls and seconds since. */
SLM_API size_t slm_session_profile_size(const slm_session *session);
SLM_API slm_status slm_session_profile_enable(slm_session *session, int enable);
SLM_API slm_status slm_session_profile_entry(const slm_session *session, size_t index,
                                             const char **name, int64_t *calls,
                                             double *seconds);

/* Decode packages: keep the KV cache in the session, in place. The session
 * allocates one buffer per cache binding with room for `capacity` tokens.
 * In each run the caller passes the past_* inputs with their dims (the cache
 * length must equal slm_session_kv_cache_length; data is ignored and may be
 * NULL); the kernel reads the past from the session's buffer and writes only
 * the new rows of present_* into it: nothing is reallocated or copied per
 * step. The present_* outputs are then not readable with
 * slm_session_output. */
SLM_API slm_status slm_session_kv_cache_enable(slm_session *session, int64_t capacity);
/* Forgets the cached tokens (the next run starts at length 0). */
SLM_API slm_status slm_session_kv_cache_reset(slm_session *session);
/* Tokens in the cache; -1 when the session keeps none. */
SLM_API int64_t slm_session_kv_cache_length(const slm_session *session);

SLM_API slm_status slm_session_symbol(const slm_session *session, size_t index,
                                      int64_t *value);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SLM_RUNTIME_H */

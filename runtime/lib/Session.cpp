//===- Session.cpp - Bind symbols, check inputs, call the kernel ----------===//
//
// The kernel ABI: `void slm_main(void **args)` with args[i] pointing to one
// int64 per symbol, then one MLIR memref descriptor per input, per weight
// and per output, in package order. A rank-R descriptor is
// { T *allocated; T *aligned; int64 offset; int64 sizes[R]; int64 strides[R]; }
// with row-major strides, offset 0 and allocated == aligned. Every buffer
// the kernel sees is 64-byte aligned: weights by the package layout,
// outputs by allocation, inputs by copying the (rare) misaligned ones.
//
//===----------------------------------------------------------------------===//

#include "runtime/lib/Format.h"
#include "runtime/lib/Internal.h"
#include "runtime/lib/Profile.h"
#include "runtime/lib/ThreadPool.h"

#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <memory>
#include <new>

using namespace slm;
using namespace slm::rt;

namespace {

/// A 64-byte aligned buffer that grows but never shrinks, so that decode
/// steps of similar size reuse it.
class AlignedBuffer {
public:
  AlignedBuffer() = default;
  AlignedBuffer(const AlignedBuffer &) = delete;
  AlignedBuffer &operator=(const AlignedBuffer &) = delete;
  ~AlignedBuffer() { std::free(data); }

  bool reserve(uint64_t bytes) {
    // Never null, even for empty tensors: the kernel may compare pointers.
    bytes = format::alignTo(bytes ? bytes : 1, format::kAlignment);
    if (bytes <= capacity)
      return true;
    void *p = nullptr;
    if (posix_memalign(&p, format::kAlignment, bytes) != 0)
      return false;
    std::free(data);
    data = p;
    capacity = bytes;
    return true;
  }
  void *get() const { return data; }

private:
  void *data = nullptr;
  uint64_t capacity = 0;
};

int32_t defaultThreads() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
    return CPU_COUNT(&set);
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? int32_t(n) : 1;
}

std::string dtypeText(int32_t dtype) {
  const char *name = format::dtypeName(dtype);
  return name ? name : "dtype " + std::to_string(dtype);
}

std::string shapeText(const std::vector<std::string> &dims) {
  std::string out = "[";
  for (size_t i = 0; i < dims.size(); ++i)
    out += (i ? ", " : "") + dims[i];
  return out + "]";
}

std::string shapeText(const int64_t *dims, size_t rank) {
  std::string out = "[";
  for (size_t i = 0; i < rank; ++i)
    out += (i ? ", " : "") + std::to_string(dims[i]);
  return out + "]";
}

/// Number of int64 slots of a rank-R memref descriptor.
size_t descriptorSlots(size_t rank) { return 3 + 2 * rank; }

void fillDescriptor(int64_t *d, const void *data, const int64_t *dims,
                    size_t rank) {
  int64_t p = int64_t(reinterpret_cast<intptr_t>(data));
  d[0] = p; // allocated
  d[1] = p; // aligned
  d[2] = 0; // offset
  int64_t stride = 1;
  for (size_t i = rank; i-- > 0;) {
    d[3 + i] = dims[i];
    d[3 + rank + i] = stride;
    stride *= dims[i];
  }
}

void fillStridedDescriptor(int64_t *d, const void *data, const int64_t *dims,
                           const int64_t *strides, size_t rank) {
  int64_t p = int64_t(reinterpret_cast<intptr_t>(data));
  d[0] = p;
  d[1] = p;
  d[2] = 0;
  for (size_t i = 0; i < rank; ++i) {
    d[3 + i] = dims[i];
    d[3 + rank + i] = strides[i];
  }
}

} // namespace

std::optional<int64_t>
slm::rt::evaluate(const DimExpr &expr, const std::vector<std::string> &symbols,
                  const std::vector<std::optional<int64_t>> &values) {
  int64_t total = 0;
  for (const auto &[monomial, coeff] : expr.getTerms()) {
    int64_t v = coeff;
    for (const std::string &s : monomial) {
      size_t k = 0;
      while (k < symbols.size() && symbols[k] != s)
        ++k;
      if (k == symbols.size() || !values[k])
        return std::nullopt;
      if (__builtin_mul_overflow(v, *values[k], &v))
        return std::nullopt;
    }
    if (__builtin_add_overflow(total, v, &total))
      return std::nullopt;
  }
  return total;
}

struct slm_session {
  slm_package *pkg = nullptr;
  int32_t numThreads = 1;
  // Workers for slm_rt_parallel_for (null with one thread).
  std::unique_ptr<slm::rt::ThreadPool> pool;

  // Symbol values of the current run and where each came from.
  std::vector<std::optional<int64_t>> bound;
  std::vector<std::string> boundFrom;
  std::vector<int64_t> symbolArgs;

  std::vector<AlignedBuffer> outputBuffers;
  std::vector<std::vector<int64_t>> outputShapes;
  std::vector<AlignedBuffer> staging; // copies of misaligned inputs

  // All memref descriptors, one allocation; args point into it.
  std::vector<int64_t> descriptors;
  std::vector<size_t> inputSlot, outputSlot;
  std::vector<void *> args;
  bool hasRun = false;

  // Per-kernel time of a profiling build (slm_session_profile_enable).
  slm::rt::KernelProfile profile;
  bool profiling = false;

  // The KV cache kept in place (slm_session_kv_cache_enable): per binding one
  // buffer with room for `kvCapacity` tokens. The past input and the present
  // output are views of it with the same strides, so a run only writes the
  // new rows (the kernel skips the copy of the past rows onto themselves).
  struct KvSlot {
    uint32_t input, output;
    size_t lengthAxis;
    std::unique_ptr<AlignedBuffer> buffer = std::make_unique<AlignedBuffer>();
    std::vector<int64_t> strides; // elements, capacity along lengthAxis
  };
  std::vector<KvSlot> kv;
  int64_t kvCapacity = 0, kvLength = 0;
  bool kvEnabled = false;

  slm_status bindSymbols(const slm_tensor *inputs);
  slm_status bindKvCache(const slm_tensor *inputs);
  slm_status run(const slm_tensor *inputs, size_t numInputs);
};

namespace {

std::string dimWhere(const TensorSpec &spec, size_t d) {
  return "dim " + std::to_string(d) + " of '" + spec.name + "'";
}

std::string valuesText(const DimExpr &expr,
                       const std::vector<std::string> &symbols,
                       const std::vector<std::optional<int64_t>> &values) {
  std::string out;
  for (const std::string &s : expr.symbols())
    for (size_t k = 0; k < symbols.size(); ++k)
      if (symbols[k] == s && values[k])
        out +=
            (out.empty() ? "" : ", ") + s + " = " + std::to_string(*values[k]);
  return out;
}

} // namespace

/// Binds every symbol from the input shapes: a dim that is a plain symbol
/// binds it, a constant must match, a dim linear in its one unbound symbol
/// ("past_sequence_length + sequence_length" once sequence_length is known)
/// is solved. Passes repeat while they make progress, so the order of the
/// inputs does not matter; conflicts are reported in input order.
slm_status slm_session::bindSymbols(const slm_tensor *inputs) {
  const std::vector<std::string> &symbols = pkg->symbols;
  bound.assign(symbols.size(), std::nullopt);
  boundFrom.assign(symbols.size(), std::string());
  std::vector<std::pair<size_t, size_t>> pending;
  for (size_t i = 0; i < pkg->inputs.size(); ++i)
    for (size_t d = 0; d < pkg->inputs[i].dims.size(); ++d)
      pending.emplace_back(i, d);

  auto symbolIndex = [&](const std::string &s) {
    size_t k = 0;
    while (k < symbols.size() && symbols[k] != s)
      ++k;
    return k;
  };

  for (bool progress = true; progress && !pending.empty();) {
    progress = false;
    std::vector<std::pair<size_t, size_t>> deferred;
    for (auto [i, d] : pending) {
      const TensorSpec &spec = pkg->inputs[i];
      const DimExpr &expr = spec.dims[d];
      const std::string &text = spec.dimText[d];
      int64_t actual = inputs[i].dims[d];
      std::vector<size_t> unbound;
      for (const std::string &s : expr.symbols()) {
        size_t k = symbolIndex(s);
        if (!bound[k])
          unbound.push_back(k);
      }

      if (unbound.empty()) {
        std::optional<int64_t> v = evaluate(expr, symbols, bound);
        if (v && *v == actual)
          continue;
        std::string msg = dimWhere(spec, d) + " is " + std::to_string(actual);
        if (expr.isConstant()) {
          msg += " but must be " + text;
        } else if (expr.getTerms().size() == 1 &&
                   expr.getTerms().begin()->first.size() == 1 &&
                   expr.getTerms().begin()->second == 1) {
          size_t k = symbolIndex(expr.getTerms().begin()->first[0]);
          msg += " but '" + symbols[k] + "' is already " +
                 std::to_string(*bound[k]) + " (from " + boundFrom[k] + ")";
        } else {
          msg += " but '" + text + "' is " +
                 (v ? std::to_string(*v) : std::string("out of range")) + " (" +
                 valuesText(expr, symbols, bound) + ")";
        }
        return fail(SLM_ERROR_INVALID_ARGUMENT, msg);
      }
      if (unbound.size() > 1) {
        deferred.emplace_back(i, d);
        continue;
      }

      // expr = a*u + b with u the one unbound symbol.
      size_t u = unbound[0];
      int64_t a = 0, b = 0;
      bool linear = true;
      for (const auto &[monomial, coeff] : expr.getTerms()) {
        int64_t term = coeff;
        int uses = 0;
        for (const std::string &s : monomial) {
          size_t k = symbolIndex(s);
          if (k == u) {
            ++uses;
            continue;
          }
          linear &= !__builtin_mul_overflow(term, *bound[k], &term);
        }
        if (uses > 1)
          linear = false;
        else
          linear &= !__builtin_add_overflow(uses ? a : b, term, uses ? &a : &b);
      }
      if (!linear || a == 0) {
        deferred.emplace_back(i, d);
        continue;
      }
      int64_t rest;
      std::string given = valuesText(expr, symbols, bound);
      given = given.empty() ? "" : " with " + given;
      if (__builtin_sub_overflow(actual, b, &rest) || rest % a != 0)
        return fail(SLM_ERROR_INVALID_ARGUMENT,
                    dimWhere(spec, d) + " is " + std::to_string(actual) +
                        " but '" + text + "'" + given +
                        " cannot equal it for any integer " + symbols[u]);
      if (rest / a < 0)
        return fail(SLM_ERROR_INVALID_ARGUMENT,
                    dimWhere(spec, d) + " is " + std::to_string(actual) +
                        ", which makes " + symbols[u] + " = " +
                        std::to_string(rest / a) + " ('" + text + "'" + given +
                        ")");
      bound[u] = rest / a;
      boundFrom[u] = dimWhere(spec, d);
      progress = true;
    }
    pending = std::move(deferred);
  }

  if (!pending.empty()) {
    auto [i, d] = pending.front();
    const TensorSpec &spec = pkg->inputs[i];
    std::string names;
    for (const std::string &s : spec.dims[d].symbols())
      if (!bound[symbolIndex(s)])
        names += (names.empty() ? "'" : ", '") + s + "'";
    return fail(SLM_ERROR_INVALID_ARGUMENT,
                "cannot determine " + names + " from " + dimWhere(spec, d) +
                    " ('" + spec.dimText[d] +
                    "'): no input shape gives the value directly");
  }
  for (size_t k = 0; k < symbols.size(); ++k)
    if (!bound[k])
      return fail(SLM_ERROR_INVALID_ARGUMENT,
                  "symbol '" + symbols[k] + "' is not set by any input shape");
  return SLM_OK;
}

slm_status slm_session::run(const slm_tensor *inputs, size_t numInputs) {
  hasRun = false;
  if (numInputs != pkg->inputs.size())
    return fail(SLM_ERROR_INVALID_ARGUMENT,
                "expected " + std::to_string(pkg->inputs.size()) +
                    " inputs, got " + std::to_string(numInputs));
  if (numInputs && !inputs)
    return fail(SLM_ERROR_INVALID_ARGUMENT, "slm_session_run: null inputs");

  // Dtypes and ranks first: binding reads the dims.
  for (size_t i = 0; i < numInputs; ++i) {
    const TensorSpec &spec = pkg->inputs[i];
    const slm_tensor &t = inputs[i];
    if (t.dtype != spec.dtype)
      return fail(SLM_ERROR_INVALID_ARGUMENT,
                  "input '" + spec.name + "': expected " +
                      dtypeText(spec.dtype) + ", got " + dtypeText(t.dtype));
    if (t.rank < 0 || size_t(t.rank) != spec.dims.size() ||
        (t.rank > 0 && !t.dims))
      return fail(
          SLM_ERROR_INVALID_ARGUMENT,
          "input '" + spec.name + "': expected rank " +
              std::to_string(spec.dims.size()) + " " + shapeText(spec.dimText) +
              ", got rank " + std::to_string(t.rank) +
              (t.rank > 0 && t.dims ? " " + shapeText(t.dims, size_t(t.rank))
                                    : std::string()));
    for (int32_t d = 0; d < t.rank; ++d)
      if (t.dims[d] < 0)
        return fail(SLM_ERROR_INVALID_ARGUMENT,
                    dimWhere(spec, size_t(d)) + " is negative (" +
                        std::to_string(t.dims[d]) + ")");
  }

  if (slm_status s = bindSymbols(inputs))
    return s;

  if (pkg->info.context_limit && pkg->contextLength) {
    std::optional<int64_t> total =
        evaluate(*pkg->contextLength, pkg->symbols, bound);
    if (!total || *total > int64_t(pkg->info.context_limit))
      return fail(SLM_ERROR_INVALID_ARGUMENT,
                  "total sequence length " +
                      (total ? std::to_string(*total) : std::string("?")) +
                      " (" + pkg->contextLengthText +
                      ") exceeds the package's context limit " +
                      std::to_string(pkg->info.context_limit));
  }

  for (size_t k = 0; k < bound.size(); ++k)
    symbolArgs[k] = *bound[k];
  if (kvEnabled)
    if (slm_status s = bindKvCache(inputs))
      return s;

  // Inputs: the descriptors point at the caller's data, or at an aligned
  // copy.
  for (size_t i = 0; i < numInputs; ++i) {
    const TensorSpec &spec = pkg->inputs[i];
    const slm_tensor &t = inputs[i];
    if (kvEnabled && std::any_of(kv.begin(), kv.end(),
                                 [&](const KvSlot &k) { return k.input == i; }))
      continue; // a view of the session's cache (bindKvCache)
    uint64_t numElements = 1, bytes = 0;
    for (int32_t d = 0; d < t.rank; ++d)
      if (__builtin_mul_overflow(numElements, uint64_t(t.dims[d]),
                                 &numElements))
        return fail(SLM_ERROR_INVALID_ARGUMENT,
                    "input '" + spec.name + "' is too large");
    if (!format::dtypeBytes(t.dtype, numElements, bytes))
      return fail(SLM_ERROR_INVALID_ARGUMENT,
                  "input '" + spec.name + "' is too large");
    const void *data = t.data;
    if (bytes && !data)
      return fail(SLM_ERROR_INVALID_ARGUMENT,
                  "input '" + spec.name + "': data is null");
    if (!data || reinterpret_cast<uintptr_t>(data) % format::kAlignment) {
      if (!staging[i].reserve(bytes))
        return fail(SLM_ERROR_OUT_OF_MEMORY,
                    "out of memory copying input '" + spec.name + "'");
      if (bytes)
        std::memcpy(staging[i].get(), data, bytes);
      data = staging[i].get();
    }
    fillDescriptor(&descriptors[inputSlot[i]], data, t.dims, size_t(t.rank));
  }

  // Outputs: shapes from the bound symbols, then (re)allocation.
  for (size_t o = 0; o < pkg->outputs.size(); ++o) {
    const TensorSpec &spec = pkg->outputs[o];
    std::vector<int64_t> &shape = outputShapes[o];
    uint64_t numElements = 1, bytes = 0;
    for (size_t d = 0; d < spec.dims.size(); ++d) {
      std::optional<int64_t> v = evaluate(spec.dims[d], pkg->symbols, bound);
      if (!v || *v < 0)
        return fail(SLM_ERROR_INVALID_ARGUMENT,
                    "output '" + spec.name + "': dim " + std::to_string(d) +
                        " ('" + spec.dimText[d] + "') is " +
                        (v ? std::to_string(*v) : std::string("out of range")) +
                        " (" + valuesText(spec.dims[d], pkg->symbols, bound) +
                        ")");
      shape[d] = *v;
      if (__builtin_mul_overflow(numElements, uint64_t(*v), &numElements))
        return fail(SLM_ERROR_INVALID_ARGUMENT,
                    "output '" + spec.name + "' is too large");
    }
    if (kvEnabled && std::any_of(kv.begin(), kv.end(),
                                 [&](const KvSlot &k) { return k.output == o; }))
      continue; // written in place into the session's cache
    if (!format::dtypeBytes(spec.dtype, numElements, bytes) ||
        !outputBuffers[o].reserve(bytes))
      return fail(SLM_ERROR_OUT_OF_MEMORY,
                  "cannot allocate output '" + spec.name + "' (" +
                      std::to_string(numElements) + " elements)");
    fillDescriptor(&descriptors[outputSlot[o]], outputBuffers[o].get(),
                   shape.data(), shape.size());
  }

  {
    // Kernels find the session's threads through slm_rt_parallel_for.
    ThreadPool *p = pool.get();
    ScopedCurrentPool scope(p);
    slm::rt::ScopedProfile timing(profiling ? &profile : nullptr);
    pkg->entry(args.data());
  }
  if (kvEnabled)
    kvLength = outputShapes[kv.front().output][kv.front().lengthAxis];
  hasRun = true;
  return SLM_OK;
}

slm_status slm_session::bindKvCache(const slm_tensor *inputs) {
  for (KvSlot &k : kv) {
    const slm_tensor &past = inputs[k.input];
    const TensorSpec &out = pkg->outputs[k.output];
    if (past.dims[k.lengthAxis] != kvLength)
      return fail(SLM_ERROR_INVALID_ARGUMENT,
                  "input '" + pkg->inputs[k.input].name + "': the session's KV cache holds " +
                      std::to_string(kvLength) + " tokens, the input says " +
                      std::to_string(past.dims[k.lengthAxis]));
    std::vector<int64_t> &shape = outputShapes[k.output];
    for (size_t d = 0; d < out.dims.size(); ++d) {
      std::optional<int64_t> v = evaluate(out.dims[d], pkg->symbols, bound);
      if (!v || *v < 0)
        return fail(SLM_ERROR_INVALID_ARGUMENT,
                    "output '" + out.name + "': cannot size dim " + std::to_string(d));
      shape[d] = *v;
    }
    if (shape[k.lengthAxis] > kvCapacity)
      return fail(SLM_ERROR_INVALID_ARGUMENT,
                  "KV cache: " + std::to_string(shape[k.lengthAxis]) +
                      " tokens exceed the session's capacity of " +
                      std::to_string(kvCapacity));
    if (k.strides.empty()) {
      // First run: the other dims are known now; allocate for the capacity.
      size_t rank = shape.size();
      k.strides.assign(rank, 1);
      int64_t stride = 1;
      for (size_t d = rank; d-- > 0;) {
        k.strides[d] = stride;
        stride *= d == k.lengthAxis ? kvCapacity : shape[d];
      }
      uint64_t bytes = 0;
      if (!format::dtypeBytes(out.dtype, uint64_t(stride), bytes) || !k.buffer->reserve(bytes))
        return fail(SLM_ERROR_OUT_OF_MEMORY, "cannot allocate the KV cache for '" + out.name + "'");
    }
    fillStridedDescriptor(&descriptors[inputSlot[k.input]], k.buffer->get(), past.dims,
                          k.strides.data(), size_t(past.rank));
    fillStridedDescriptor(&descriptors[outputSlot[k.output]], k.buffer->get(), shape.data(),
                          k.strides.data(), shape.size());
  }
  return SLM_OK;
}

extern "C" {

void slm_session_options_init(slm_session_options *options) {
  if (options)
    options->num_threads = 0;
}

slm_status slm_session_create(slm_package *package,
                              const slm_session_options *options,
                              slm_session **out) {
  if (!package || !out)
    return fail(SLM_ERROR_INVALID_ARGUMENT,
                "slm_session_create: null package or result pointer");
  *out = nullptr;
  if (!package->entry)
    return fail(SLM_ERROR_INVALID_ARGUMENT,
                package->path + ": the package was opened without its kernel "
                                "(SLM_OPEN_NO_KERNEL); it cannot run");
  if (options && options->num_threads < 0)
    return fail(SLM_ERROR_INVALID_ARGUMENT,
                "slm_session_create: negative thread count " +
                    std::to_string(options->num_threads));
  try {
    auto s = std::make_unique<slm_session>();
    s->pkg = package;
    s->numThreads = options && options->num_threads ? options->num_threads
                                                    : defaultThreads();
    if (s->numThreads > 1)
      s->pool = std::make_unique<ThreadPool>(s->numThreads);
    size_t numSymbols = package->symbols.size();
    size_t numInputs = package->inputs.size();
    size_t numOutputs = package->outputs.size();
    s->symbolArgs.assign(numSymbols, 0);
    s->outputBuffers = std::vector<AlignedBuffer>(numOutputs);
    s->staging = std::vector<AlignedBuffer>(numInputs);
    s->outputShapes.resize(numOutputs);
    for (size_t o = 0; o < numOutputs; ++o)
      s->outputShapes[o].assign(package->outputs[o].dims.size(), 0);

    // Lay out the descriptors once; args never move afterwards.
    size_t slots = 0;
    for (const TensorSpec &t : package->inputs) {
      s->inputSlot.push_back(slots);
      slots += descriptorSlots(t.dims.size());
    }
    std::vector<size_t> weightSlot;
    for (const WeightSpec &w : package->weights) {
      weightSlot.push_back(slots);
      slots += descriptorSlots(w.dims.size());
    }
    for (const TensorSpec &t : package->outputs) {
      s->outputSlot.push_back(slots);
      slots += descriptorSlots(t.dims.size());
    }
    s->descriptors.assign(slots, 0);
    // Weights point straight into the mapped package.
    for (size_t w = 0; w < package->weights.size(); ++w)
      fillDescriptor(&s->descriptors[weightSlot[w]], package->weights[w].data,
                     package->weights[w].dims.data(),
                     package->weights[w].dims.size());

    for (size_t k = 0; k < numSymbols; ++k)
      s->args.push_back(&s->symbolArgs[k]);
    for (size_t slot : s->inputSlot)
      s->args.push_back(&s->descriptors[slot]);
    for (size_t slot : weightSlot)
      s->args.push_back(&s->descriptors[slot]);
    for (size_t slot : s->outputSlot)
      s->args.push_back(&s->descriptors[slot]);
    *out = s.release();
  } catch (const std::bad_alloc &) {
    return fail(SLM_ERROR_OUT_OF_MEMORY, "out of memory creating a session");
  }
  return SLM_OK;
}

void slm_session_destroy(slm_session *session) { delete session; }

int32_t slm_session_num_threads(const slm_session *session) {
  return session ? session->numThreads : 0;
}

slm_status slm_session_run(slm_session *session, const slm_tensor *inputs,
                           size_t num_inputs) {
  if (!session)
    return fail(SLM_ERROR_INVALID_ARGUMENT, "slm_session_run: null session");
  try {
    return session->run(inputs, num_inputs);
  } catch (const std::bad_alloc &) {
    session->hasRun = false;
    return fail(SLM_ERROR_OUT_OF_MEMORY, "out of memory running the model");
  }
}

slm_status slm_session_output(const slm_session *session, size_t index,
                              slm_tensor *out) {
  if (!session || !out)
    return fail(SLM_ERROR_INVALID_ARGUMENT,
                "slm_session_output: null argument");
  if (!session->hasRun)
    return fail(SLM_ERROR_INVALID_ARGUMENT,
                "slm_session_output: no successful run yet");
  if (index >= session->outputShapes.size())
    return fail(SLM_ERROR_INVALID_ARGUMENT,
                "slm_session_output: index " + std::to_string(index) +
                    " out of range (" +
                    std::to_string(session->outputShapes.size()) + ")");
  for (const auto &k : session->kv)
    if (session->kvEnabled && k.output == index)
      return fail(SLM_ERROR_INVALID_ARGUMENT,
                  "output '" + session->pkg->outputs[index].name +
                      "' is kept in the session's KV cache (slm_session_kv_cache_enable)");
  const std::vector<int64_t> &shape = session->outputShapes[index];
  out->dtype = session->pkg->outputs[index].dtype;
  out->rank = int32_t(shape.size());
  out->dims = shape.data();
  out->data = session->outputBuffers[index].get();
  return SLM_OK;
}

size_t slm_session_profile_size(const slm_session *session) {
  return session ? session->pkg->kernelNames.size() : 0;
}

slm_status slm_session_profile_enable(slm_session *session, int enable) {
  if (!session)
    return fail(SLM_ERROR_INVALID_ARGUMENT, "slm_session_profile_enable: null session");
  if (enable && session->pkg->kernelNames.empty())
    return fail(SLM_ERROR_INVALID_ARGUMENT,
                "the package has no kernel profile (compile it with slmc compile --profile)");
  session->profiling = enable != 0;
  session->profile.reset(session->pkg->kernelNames.size());
  return SLM_OK;
}

slm_status slm_session_profile_entry(const slm_session *session, size_t index,
                                     const char **name, int64_t *calls, double *seconds) {
  if (!session || index >= session->pkg->kernelNames.size())
    return fail(SLM_ERROR_INVALID_ARGUMENT, "slm_session_profile_entry: bad session or index");
  if (name)
    *name = session->pkg->kernelNames[index].c_str();
  if (calls)
    *calls = index < session->profile.calls.size() ? session->profile.calls[index] : 0;
  if (seconds)
    *seconds = index < session->profile.seconds.size() ? session->profile.seconds[index] : 0;
  return SLM_OK;
}

slm_status slm_session_kv_cache_enable(slm_session *session, int64_t capacity) {
  if (!session || capacity <= 0)
    return fail(SLM_ERROR_INVALID_ARGUMENT,
                "slm_session_kv_cache_enable: null session or capacity <= 0");
  slm_package *pkg = session->pkg;
  if (pkg->kvCache.empty())
    return fail(SLM_ERROR_INVALID_ARGUMENT,
                "the package has no KV cache bindings (not a decode package)");
  std::vector<slm_session::KvSlot> slots;
  for (auto [in, out] : pkg->kvCache) {
    const TensorSpec &i = pkg->inputs[in], &o = pkg->outputs[out];
    // The length axis is the one dim where present differs from past.
    std::optional<size_t> axis;
    if (i.dims.size() != o.dims.size() || i.dtype != o.dtype)
      return fail(SLM_ERROR_INVALID_ARGUMENT,
                  "KV cache: '" + o.name + "' cannot feed '" + i.name + "'");
    for (size_t d = 0; d < i.dims.size(); ++d)
      if (!(i.dims[d] == o.dims[d])) {
        if (axis)
          return fail(SLM_ERROR_INVALID_ARGUMENT,
                      "KV cache: '" + o.name + "' differs from '" + i.name +
                          "' in more than one dim");
        axis = d;
      }
    if (!axis)
      return fail(SLM_ERROR_INVALID_ARGUMENT,
                  "KV cache: '" + o.name + "' does not grow '" + i.name + "'");
    slm_session::KvSlot slot;
    slot.input = in;
    slot.output = out;
    slot.lengthAxis = *axis;
    slots.push_back(std::move(slot));
  }
  session->kv = std::move(slots);
  session->kvCapacity = capacity;
  session->kvLength = 0;
  session->kvEnabled = true;
  session->hasRun = false;
  return SLM_OK;
}

slm_status slm_session_kv_cache_reset(slm_session *session) {
  if (!session || !session->kvEnabled)
    return fail(SLM_ERROR_INVALID_ARGUMENT,
                "slm_session_kv_cache_reset: the session keeps no KV cache");
  session->kvLength = 0;
  return SLM_OK;
}

int64_t slm_session_kv_cache_length(const slm_session *session) {
  return session && session->kvEnabled ? session->kvLength : -1;
}

slm_status slm_session_symbol(const slm_session *session, size_t index,
                              int64_t *value) {
  if (!session || !value)
    return fail(SLM_ERROR_INVALID_ARGUMENT,
                "slm_session_symbol: null argument");
  if (!session->hasRun)
    return fail(SLM_ERROR_INVALID_ARGUMENT,
                "slm_session_symbol: no successful run yet");
  if (index >= session->symbolArgs.size())
    return fail(SLM_ERROR_INVALID_ARGUMENT,
                "slm_session_symbol: index " + std::to_string(index) +
                    " out of range (" +
                    std::to_string(session->symbolArgs.size()) + ")");
  *value = session->symbolArgs[index];
  return SLM_OK;
}

} // extern "C"

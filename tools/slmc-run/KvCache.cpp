//===- KvCache.cpp - The KV cache of a decode package ---------------------===//

#include "KvCache.h"
#include "dialects/slm/IR/DimExpr.h"

#include <algorithm>
#include <cstring>

namespace slmc_run {

KvCache::KvCache(const rt::Package &pkg, rt::Session &session,
                 const std::set<std::string> &batchSymbols, int64_t capacity)
    : capacity_(capacity) {
  rt::check(slm_session_kv_cache_enable(session.get(), capacity));
  const slm_package_info &info = pkg.info();
  for (size_t k = 0; k < info.num_kv_cache_bindings; ++k) {
    Entry e;
    rt::check(slm_package_kv_cache_binding(pkg.get(), k, &e.input, &e.output));
    rt::TensorInfo in = pkg.input(e.input), out = pkg.output(e.output);
    if (in.dtype != out.dtype || in.dims.size() != out.dims.size())
      die("KV cache: output '" + out.name + "' " + dtypeText(out.dtype) + " " +
          dimsText(out) + " cannot feed input '" + in.name + "' " +
          dtypeText(in.dtype) + " " + dimsText(in));
    if (slm_dtype_size(in.dtype) == 0)
      die("KV cache: input '" + in.name + "' has unsupported dtype " +
          dtypeText(in.dtype));
    e.past.name = in.name;
    e.past.dtype = in.dtype;
    std::optional<size_t> lengthAxis;
    for (size_t d = 0; d < in.dims.size(); ++d) {
      std::optional<slm::DimExpr> expr = slm::DimExpr::parse(in.dims[d]);
      if (!expr)
        die("KV cache: cannot read dim " + std::to_string(d) + " of '" +
            in.name + "': '" + in.dims[d] + "'");
      int64_t value = 0;
      if (std::optional<int64_t> c = expr->getConstant()) {
        value = *c;
      } else if (expr->symbols().size() == 1 &&
                 *expr == slm::DimExpr::symbol(expr->symbols()[0]) &&
                 batchSymbols.count(expr->symbols()[0])) {
        value = 1;
      } else if (!lengthAxis) {
        lengthAxis = d;
        continue;
      } else {
        die("KV cache: input '" + in.name + "' " + dimsText(in) +
            " has more than one variable dim besides the batch");
      }
      e.past.dims.push_back(value);
    }
    if (!lengthAxis)
      die("KV cache: input '" + in.name + "' " + dimsText(in) +
          " has no variable (cache length) dim");
    e.lengthAxis = *lengthAxis;
    e.past.dims.insert(e.past.dims.begin() + long(e.lengthAxis), 0);
    entries_.push_back(std::move(e));
  }
}

bool KvCache::feeds(size_t input) const {
  for (const Entry &e : entries_)
    if (e.input == input)
      return true;
  return false;
}

void KvCache::bind(std::vector<slm_tensor> &inputs) const {
  for (const Entry &e : entries_)
    inputs[e.input] = e.past.view();
}

void KvCache::advance(const rt::Session &session, int64_t seq) {
  int64_t newLength = length_ + seq;
  if (newLength > capacity_)
    die("KV cache: " + std::to_string(newLength) +
        " tokens exceed the preallocated " + std::to_string(capacity_));
  int64_t held = slm_session_kv_cache_length(session.get());
  if (held != newLength)
    die("KV cache: the session holds " + std::to_string(held) + " tokens, expected " +
        std::to_string(newLength));
  for (Entry &e : entries_)
    e.past.dims[e.lengthAxis] = newLength;
  length_ = newLength;
}

} // namespace slmc_run

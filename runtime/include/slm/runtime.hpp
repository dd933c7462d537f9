//===- slm/runtime.hpp - C++ wrapper of the slm runtime C API ---*- C++ -*-===//
//
// Header-only, over runtime.h: the shared library's ABI stays C. Errors are
// thrown as slm::runtime::Error. A Session keeps its Package alive.
//
//   auto pkg = slm::runtime::Package::open("model.slmpkg");
//   slm::runtime::Session session(pkg);
//   session.run({slm::runtime::tensor(SLM_DTYPE_INT64, dims, ids.data())});
//   slm_tensor logits = session.output(0);
//
//===----------------------------------------------------------------------===//
#ifndef SLM_RUNTIME_HPP
#define SLM_RUNTIME_HPP

#include "slm/runtime.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace slm::runtime {

class Error : public std::runtime_error {
public:
  Error(slm_status status, const std::string &message)
      : std::runtime_error(message), status_(status) {}
  slm_status status() const { return status_; }

private:
  slm_status status_;
};

inline void check(slm_status status) {
  if (status != SLM_OK)
    throw Error(status, slm_last_error());
}

/// A graph input or output as declared by the package.
struct TensorInfo {
  std::string name;
  int32_t dtype = 0;
  std::vector<std::string> dims;
};

/// A view of caller-owned data as a run input; `dims` must outlive the run.
inline slm_tensor tensor(int32_t dtype, const std::vector<int64_t> &dims,
                         const void *data) {
  return slm_tensor{dtype, int32_t(dims.size()), dims.data(),
                    const_cast<void *>(data)};
}

/// Number of elements of a tensor.
inline uint64_t numElements(const slm_tensor &t) {
  uint64_t n = 1;
  for (int32_t d = 0; d < t.rank; ++d)
    n *= uint64_t(t.dims[d]);
  return n;
}

class Package {
public:
  static Package open(const std::string &path, uint32_t flags = 0) {
    slm_package *p = nullptr;
    check(slm_package_open(path.c_str(), flags, &p));
    return Package(p);
  }

  slm_package *get() const { return handle_.get(); }
  const slm_package_info &info() const { return *slm_package_get_info(get()); }

  size_t numInputs() const { return info().num_inputs; }
  size_t numOutputs() const { return info().num_outputs; }
  TensorInfo input(size_t i) const { return tensorInfo(i, true); }
  TensorInfo output(size_t i) const { return tensorInfo(i, false); }
  std::optional<size_t> findInput(const std::string &name) const {
    int64_t i = slm_package_find_input(get(), name.c_str());
    return i < 0 ? std::nullopt : std::optional<size_t>(size_t(i));
  }
  std::optional<size_t> findOutput(const std::string &name) const {
    int64_t i = slm_package_find_output(get(), name.c_str());
    return i < 0 ? std::nullopt : std::optional<size_t>(size_t(i));
  }
  std::vector<std::string> symbols() const {
    const slm_package_info &i = info();
    return std::vector<std::string>(i.symbols, i.symbols + i.num_symbols);
  }
  slm_weight_info weight(size_t i) const {
    slm_weight_info w;
    check(slm_package_weight(get(), i, &w));
    return w;
  }

private:
  explicit Package(slm_package *p) : handle_(p, slm_package_close) {}

  TensorInfo tensorInfo(size_t i, bool input) const {
    slm_tensor_info t;
    check(input ? slm_package_input(get(), i, &t)
                : slm_package_output(get(), i, &t));
    return TensorInfo{t.name, t.dtype,
                      std::vector<std::string>(t.dims, t.dims + t.rank)};
  }

  std::shared_ptr<slm_package> handle_;
  friend class Session;
};

class Session {
public:
  /// `numThreads` 0: one per core this process may use.
  explicit Session(const Package &package, int32_t numThreads = 0)
      : package_(package.handle_) {
    slm_session_options options;
    slm_session_options_init(&options);
    options.num_threads = numThreads;
    slm_session *s = nullptr;
    check(slm_session_create(package_.get(), &options, &s));
    handle_.reset(s);
  }

  void run(const std::vector<slm_tensor> &inputs) {
    check(slm_session_run(handle_.get(), inputs.data(), inputs.size()));
  }
  /// Valid until the next run.
  slm_tensor output(size_t i) const {
    slm_tensor t;
    check(slm_session_output(handle_.get(), i, &t));
    return t;
  }
  int64_t symbol(size_t i) const {
    int64_t v;
    check(slm_session_symbol(handle_.get(), i, &v));
    return v;
  }
  int32_t numThreads() const { return slm_session_num_threads(handle_.get()); }
  slm_session *get() const { return handle_.get(); }

private:
  struct Destroy {
    void operator()(slm_session *s) const { slm_session_destroy(s); }
  };
  // Declared first: destroyed after the session.
  std::shared_ptr<slm_package> package_;
  std::unique_ptr<slm_session, Destroy> handle_;
};

} // namespace slm::runtime

#endif // SLM_RUNTIME_HPP

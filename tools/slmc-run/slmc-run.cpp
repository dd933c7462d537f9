//===- slmc-run.cpp - Run a compiled .slmpkg ------------------------------===//
//
//   slmc-run model.slmpkg --test-dir DIR [--atol A --rtol R]
//   slmc-run model.slmpkg --bench [--seq S --past P --iters N]
//   slmc-run model.slmpkg --info
//   slmc-run model.slmpkg --eval-text FILE [--window W]
//   slmc-run model.slmpkg --generate --prompt TEXT -n N [--temperature T ...]
//   slmc-run model.slmpkg --greedy-continue --prompt TEXT -n N
//
// The text modes (byte-level models) are in TextModes.cpp.
//
// --test-dir runs every DIR/test_data_set_*/ (the ONNX backend-test layout:
// input_K.pb / output_K.pb TensorProtos) and compares with the expected
// outputs. Exit status: 0 all good, 1 an output mismatched, 2 an error (bad
// arguments, package, test data, or a run that failed).
//
//===----------------------------------------------------------------------===//

#include "Common.h"
#include "dialects/slm/IR/DimExpr.h"

#include "TensorProto.h"

#include <algorithm>
#include <numeric>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;
using namespace slmc_run;

namespace {

const char kUsage[] = R"(usage: slmc-run PACKAGE.slmpkg MODE [options]

Runs a package compiled by slmc.

modes:
  --test-dir DIR      run every DIR/test_data_set_*/ (input_K.pb, output_K.pb:
                      ONNX TensorProtos, matched by name, else by position) and
                      compare the outputs
  --bench             time runs on generated inputs
  --info              print the package header
  --eval-text FILE    bits per byte of a byte-level prefill package (token id =
                      byte value; input_ids [batch, sequence] -> logits
                      [batch, sequence, 256]) over FILE: non-overlapping windows
                      of --window bytes (only full ones), bytes 1..W-1 of each
                      predicted from the bytes before them in the window; the
                      last stdout line is bits_per_byte=<value>
  --generate          generate -n bytes after --prompt with a byte-level decode
                      package (input_ids, attention_mask, position_ids,
                      past_key_values.* -> logits, present.*): the prompt in one
                      run, then one run per byte with the KV cache; the bytes
                      (not the prompt) stream to stdout, timings to stderr
  --greedy-continue   greedy continuation of --prompt with a prefill package,
                      re-running the whole text for every byte (slow; a
                      reference for --generate --temperature 0)

options:
  --save-outputs DIR  --test-dir: also write each set's inputs and actual
                      outputs to DIR/test_data_set_*/ (the same layout: a
                      reference for comparing another package)
  --atol A            absolute tolerance (default 1e-4)
  --rtol R            relative tolerance (default 1e-3); an element fails when
                      |actual - expected| > atol + rtol * |expected|
  --seq S             --bench: sequence_length (default 1)
  --past P            --bench: past_sequence_length (default 0)
  --sym NAME=VALUE    --bench: set any other symbol (default 1)
  --iters N           --bench: timed runs (default 10)
  --warmup N          --bench: untimed runs first (default 2)
  --window W          --eval-text: window length in bytes (default 256)
  --batch B           --eval-text: windows per run (default 8)
  --jobs J            --eval-text: runs in parallel, each in its own session
                      (default: one per core, or cores / --threads)
  --prompt TEXT       --generate, --greedy-continue: the text to continue
  -n N                --generate, --greedy-continue: bytes to generate
                      (default 64); generation stops early at the context limit
  --temperature T     --generate: sampling temperature (default 1; 0: greedy)
  --top-k K           --generate: sample among the K likeliest bytes (default 0:
                      all)
  --seed S            --generate: PRNG seed (default: from the clock; printed)
  --max-context C     --generate, --greedy-continue: context limit for packages
                      that declare none (default 256)
  --threads N         threads per session (default: one per available core;
                      --eval-text: the cores / --jobs)
  --help              this text

exit status: 0 ok, 1 an output mismatched, 2 error
)";

int64_t parseInt(const std::string &flag, const std::string &text,
                 int64_t min) {
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end || errno || v < min)
    usageError(flag + " needs an integer >= " + std::to_string(min) +
               ", got '" + text + "'");
  return v;
}

double parseDouble(const std::string &flag, const std::string &text) {
  char *end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end || !(v >= 0))
    usageError(flag + " needs a non-negative number, got '" + text + "'");
  return v;
}

Options parseArgs(int argc, char **argv) {
  Options o;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i], value;
    bool hasInlineValue = false;
    if (arg.rfind("--", 0) == 0 && arg.find('=') != std::string::npos) {
      value = arg.substr(arg.find('=') + 1);
      arg = arg.substr(0, arg.find('='));
      hasInlineValue = true;
    }
    auto next = [&]() -> std::string {
      if (hasInlineValue)
        return value;
      if (i + 1 >= args.size())
        usageError(arg + " needs a value");
      return args[++i];
    };
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (arg == "--test-dir") {
      o.testDir = next();
    } else if (arg == "--bench") {
      o.bench = true;
    } else if (arg == "--info") {
      o.info = true;
    } else if (arg == "--save-outputs") {
      o.saveOutputs = next();
    } else if (arg == "--atol") {
      o.atol = parseDouble(arg, next());
    } else if (arg == "--rtol") {
      o.rtol = parseDouble(arg, next());
    } else if (arg == "--seq") {
      o.seq = parseInt(arg, next(), 0);
    } else if (arg == "--past") {
      o.past = parseInt(arg, next(), 0);
    } else if (arg == "--iters") {
      o.iters = parseInt(arg, next(), 1);
    } else if (arg == "--warmup") {
      o.warmup = parseInt(arg, next(), 0);
    } else if (arg == "--eval-text") {
      o.evalText = next();
      if (o.evalText.empty())
        usageError("--eval-text needs a file name");
    } else if (arg == "--generate") {
      o.generate = true;
    } else if (arg == "--greedy-continue") {
      o.greedyContinue = true;
    } else if (arg == "--window") {
      o.window = parseInt(arg, next(), 2);
    } else if (arg == "--batch") {
      o.batch = parseInt(arg, next(), 1);
    } else if (arg == "--jobs") {
      o.jobs = parseInt(arg, next(), 1);
    } else if (arg == "--prompt") {
      o.prompt = next();
    } else if (arg == "-n") {
      o.numTokens = parseInt(arg, next(), 0);
    } else if (arg == "--temperature") {
      o.temperature = parseDouble(arg, next());
    } else if (arg == "--top-k") {
      o.topK = parseInt(arg, next(), 0);
    } else if (arg == "--seed") {
      o.seed = uint64_t(parseInt(arg, next(), 0));
    } else if (arg == "--max-context") {
      o.maxContext = parseInt(arg, next(), 1);
    } else if (arg == "--threads") {
      o.threads = int32_t(parseInt(arg, next(), 1));
    } else if (arg == "--sym") {
      std::string s = next();
      size_t eq = s.find('=');
      if (eq == std::string::npos || eq == 0)
        usageError("--sym needs NAME=VALUE, got '" + s + "'");
      o.symbols[s.substr(0, eq)] =
          parseInt("--sym " + s.substr(0, eq), s.substr(eq + 1), 0);
    } else if (arg.rfind("-", 0) == 0 && arg.size() > 1) {
      usageError("unknown option '" + arg + "'");
    } else if (o.package.empty()) {
      o.package = arg;
    } else {
      usageError("unexpected argument '" + arg + "'");
    }
  }
  if (o.package.empty())
    usageError("no package given");
  int modes = !o.testDir.empty() + o.bench + o.info + !o.evalText.empty() +
              o.generate + o.greedyContinue;
  if (modes != 1)
    usageError("give exactly one of --test-dir, --bench, --info, --eval-text, "
               "--generate, --greedy-continue");
  if ((o.generate || o.greedyContinue) && !o.prompt)
    usageError(std::string(o.generate ? "--generate" : "--greedy-continue") +
               " needs --prompt TEXT");
  if (o.prompt && !o.generate && !o.greedyContinue)
    usageError("--prompt is for --generate and --greedy-continue");
  return o;
}

//===----------------------------------------------------------------------===//
// --test-dir
//===----------------------------------------------------------------------===//

/// Reads an ONNX TensorProto file into a host tensor; raw_data or the typed
/// field the ONNX spec uses for the dtype.
std::optional<HostTensor> readTensorProto(const fs::path &path,
                                          std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open '" + path.string() + "'";
    return std::nullopt;
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  TensorProto proto;
  if (!in.good() && !in.eof()) {
    error = "cannot read '" + path.string() + "'";
    return std::nullopt;
  }
  if (!parseTensorProto(bytes, proto)) {
    error = "'" + path.string() + "' is not an ONNX TensorProto";
    return std::nullopt;
  }
  HostTensor t;
  t.name = proto.name;
  t.dtype = proto.dataType;
  for (int64_t d : proto.dims) {
    if (d < 0) {
      error = "'" + path.string() + "' has a negative dim";
      return std::nullopt;
    }
    t.dims.push_back(d);
  }
  size_t elemSize = slm_dtype_size(t.dtype);
  if (elemSize == 0) {
    error =
        "'" + path.string() + "' has unsupported dtype " + dtypeText(t.dtype);
    return std::nullopt;
  }
  if (proto.external) {
    error = "'" + path.string() + "' uses external data (not supported)";
    return std::nullopt;
  }
  t.allocate();
  uint64_t n = t.numElements();
  auto sizeError = [&](uint64_t got) {
    error = "'" + path.string() + "' has " + std::to_string(got) +
            " elements of data, its dims " +
            shapeText(t.dims.data(), t.dims.size()) + " need " +
            std::to_string(n);
    return std::nullopt;
  };
  if (proto.hasRawData) {
    if (proto.rawData.size() != t.bytes)
      return sizeError(proto.rawData.size() / elemSize);
    std::memcpy(t.data.get(), proto.rawData.data(), t.bytes);
    return t;
  }
  auto copyTyped = [&](const auto &field, auto cast) -> bool {
    if (uint64_t(field.size()) != n)
      return false;
    for (uint64_t i = 0; i < n; ++i) {
      auto v = cast(field[i]);
      std::memcpy(t.data.get() + i * elemSize, &v, elemSize);
    }
    return true;
  };
  bool ok = false;
  uint64_t got = 0;
  switch (t.dtype) {
  case SLM_DTYPE_FLOAT32:
    got = proto.floatData.size();
    ok = copyTyped(proto.floatData, [](float v) { return v; });
    break;
  case SLM_DTYPE_FLOAT64:
    got = proto.doubleData.size();
    ok = copyTyped(proto.doubleData, [](double v) { return v; });
    break;
  case SLM_DTYPE_INT64:
    got = proto.int64Data.size();
    ok = copyTyped(proto.int64Data, [](int64_t v) { return v; });
    break;
  case SLM_DTYPE_UINT32:
    got = proto.uint64Data.size();
    ok = copyTyped(proto.uint64Data, [](uint64_t v) { return uint32_t(v); });
    break;
  case SLM_DTYPE_UINT64:
    got = proto.uint64Data.size();
    ok = copyTyped(proto.uint64Data, [](uint64_t v) { return v; });
    break;
  default: // int32_data holds every narrower type (fp16/bf16 as bits)
    got = proto.int32Data.size();
    ok = copyTyped(proto.int32Data, [&](int32_t v) {
      // Little-endian: the low elemSize bytes of v.
      return uint32_t(v);
    });
    break;
  }
  if (!ok)
    return sizeError(got);
  return t;
}

/// The K of "input_K.pb" (with the given prefix), or nullopt.
std::optional<size_t> fileIndex(const std::string &file,
                                const std::string &prefix) {
  if (file.rfind(prefix, 0) != 0 || file.size() < prefix.size() + 4 ||
      file.compare(file.size() - 3, 3, ".pb") != 0)
    return std::nullopt;
  std::string digits =
      file.substr(prefix.size(), file.size() - prefix.size() - 3);
  if (digits.empty() || digits.size() > 9 ||
      !std::all_of(digits.begin(), digits.end(), ::isdigit))
    return std::nullopt;
  return size_t(std::stoul(digits));
}

/// The numbered files of a test set, sorted by K.
std::vector<std::pair<size_t, fs::path>>
numberedFiles(const fs::path &dir, const std::string &prefix) {
  std::vector<std::pair<size_t, fs::path>> out;
  for (const fs::directory_entry &e : fs::directory_iterator(dir))
    if (auto k = fileIndex(e.path().filename().string(), prefix))
      out.emplace_back(*k, e.path());
  std::sort(out.begin(), out.end());
  return out;
}

/// Loads the files and orders them like the package's inputs or outputs:
/// by TensorProto name, else by position K.
bool matchTensors(const rt::Package &pkg, bool inputs, const fs::path &dir,
                  std::vector<std::optional<HostTensor>> &slots,
                  std::string &error) {
  size_t count = inputs ? pkg.numInputs() : pkg.numOutputs();
  const char *kind = inputs ? "input" : "output";
  slots.clear();
  slots.resize(count);
  for (auto &[k, path] : numberedFiles(dir, inputs ? "input_" : "output_")) {
    std::optional<HostTensor> t = readTensorProto(path, error);
    if (!t)
      return false;
    std::optional<size_t> index =
        inputs ? pkg.findInput(t->name) : pkg.findOutput(t->name);
    if (!index && k < count)
      index = k;
    if (!index) {
      error = path.filename().string() + " ('" + t->name + "') matches no " +
              kind + " of the package";
      return false;
    }
    std::string name =
        inputs ? pkg.input(*index).name : pkg.output(*index).name;
    if (slots[*index]) {
      error = "two files give " + std::string(kind) + " '" + name + "'";
      return false;
    }
    t->name = name;
    slots[*index] = std::move(t);
  }
  return true;
}

struct Comparison {
  double maxAbs = 0, maxRel = 0;
  uint64_t numBad = 0;
  uint64_t firstBad = 0;
  double firstGot = 0, firstExpected = 0;
};

Comparison compare(const slm_tensor &got, const HostTensor &expected,
                   double atol, double rtol) {
  Comparison c;
  uint64_t n = expected.numElements();
  for (uint64_t i = 0; i < n; ++i) {
    double a = elementAt(got.data, got.dtype, i);
    double e = elementAt(expected.data.get(), expected.dtype, i);
    double diff = std::fabs(a - e);
    bool bad;
    if (std::isnan(a) || std::isnan(e)) {
      bad = std::isnan(a) != std::isnan(e);
      diff = bad ? INFINITY : 0;
    } else if (std::isinf(e) || std::isinf(a)) {
      bad = a != e;
      diff = bad ? INFINITY : 0;
    } else {
      bad = diff > atol + rtol * std::fabs(e);
    }
    c.maxAbs = std::max(c.maxAbs, diff);
    if (e != 0 && std::isfinite(e))
      c.maxRel = std::max(c.maxRel, diff / std::fabs(e));
    if (bad && c.numBad++ == 0) {
      c.firstBad = i;
      c.firstGot = a;
      c.firstExpected = e;
    }
  }
  return c;
}

std::string indexText(uint64_t flat, const int64_t *dims, size_t rank) {
  std::vector<int64_t> idx(rank);
  for (size_t d = rank; d-- > 0;) {
    idx[d] = dims[d] ? int64_t(flat % uint64_t(dims[d])) : 0;
    flat = dims[d] ? flat / uint64_t(dims[d]) : 0;
  }
  return shapeText(idx.data(), rank);
}

/// Writes `t` as an ONNX TensorProto file (raw_data) named `name`.
bool writeTensorProto(const fs::path &path, const std::string &name, const slm_tensor &t,
                      std::string &error) {
  std::vector<int64_t> dims(t.dims, t.dims + t.rank);
  uint64_t count = 1;
  for (int64_t d : dims)
    count *= uint64_t(d);
  size_t elementBytes = slm_dtype_size(t.dtype);
  if (!elementBytes) {
    error = "cannot save a tensor of " + dtypeText(t.dtype);
    return false;
  }
  std::string bytes = serializeTensorProto(name, t.dtype, dims, t.data, count * elementBytes);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out || !out.write(bytes.data(), std::streamsize(bytes.size()))) {
    error = "cannot write '" + path.string() + "'";
    return false;
  }
  return true;
}

/// --save-outputs: the set's inputs and the session's outputs under `dir`.
bool saveTestSet(const fs::path &dir, const rt::Package &pkg, const std::vector<slm_tensor> &inputs,
                 rt::Session &session, std::string &error) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    error = "cannot create '" + dir.string() + "': " + ec.message();
    return false;
  }
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!writeTensorProto(dir / ("input_" + std::to_string(i) + ".pb"), pkg.input(i).name,
                          inputs[i], error))
      return false;
  for (size_t i = 0; i < pkg.numOutputs(); ++i)
    if (!writeTensorProto(dir / ("output_" + std::to_string(i) + ".pb"), pkg.output(i).name,
                          session.output(i), error))
      return false;
  return true;
}

int runTestDir(const Options &o, const rt::Package &pkg) {
  std::error_code ec;
  if (!fs::is_directory(o.testDir, ec))
    die("test directory '" + o.testDir + "' does not exist");
  std::vector<std::pair<size_t, fs::path>> sets;
  for (const fs::directory_entry &e : fs::directory_iterator(o.testDir, ec)) {
    std::string name = e.path().filename().string();
    const std::string prefix = "test_data_set_";
    if (!e.is_directory() || name.rfind(prefix, 0) != 0)
      continue;
    std::string digits = name.substr(prefix.size());
    size_t k = !digits.empty() && digits.size() < 10 &&
                       std::all_of(digits.begin(), digits.end(), ::isdigit)
                   ? std::stoul(digits)
                   : SIZE_MAX;
    sets.emplace_back(k, e.path());
  }
  if (ec)
    die("cannot read '" + o.testDir + "': " + ec.message());
  if (sets.empty())
    die("no test_data_set_* folders in '" + o.testDir + "'");
  std::sort(sets.begin(), sets.end());

  rt::Session session(pkg, o.threads);
  int mismatched = 0, failed = 0;
  for (auto &[k, dir] : sets) {
    std::string setName = dir.filename().string();
    std::printf("%s:\n", setName.c_str());
    std::string error;
    std::vector<std::optional<HostTensor>> inputs, expected;
    if (!matchTensors(pkg, true, dir, inputs, error) ||
        !matchTensors(pkg, false, dir, expected, error)) {
      printError(setName + ": " + error);
      ++failed;
      continue;
    }
    std::vector<slm_tensor> views;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (!inputs[i]) {
        error = "no input_K.pb for input '" + pkg.input(i).name + "'";
        break;
      }
      views.push_back(inputs[i]->view());
    }
    if (views.size() != inputs.size()) {
      printError(setName + ": " + error);
      ++failed;
      continue;
    }
    try {
      session.run(views);
    } catch (const rt::Error &e) {
      printError(setName + ": " + e.what());
      ++failed;
      continue;
    }
    if (!o.saveOutputs.empty() &&
        !saveTestSet(fs::path(o.saveOutputs) / setName, pkg, views, session, error)) {
      printError(setName + ": " + error);
      ++failed;
      continue;
    }
    bool setOk = true;
    for (size_t o2 = 0; o2 < expected.size(); ++o2) {
      std::string name = pkg.output(o2).name;
      if (!expected[o2]) {
        std::printf("  %-28s (no expected output)\n", name.c_str());
        continue;
      }
      const HostTensor &want = *expected[o2];
      slm_tensor got = session.output(o2);
      std::string shape = shapeText(got.dims, size_t(got.rank));
      std::printf("  %-28s %-14s %-8s ", name.c_str(), shape.c_str(),
                  dtypeText(got.dtype).c_str());
      if (got.rank != int32_t(want.dims.size()) ||
          !std::equal(want.dims.begin(), want.dims.end(), got.dims)) {
        std::printf("FAIL: shape %s, expected %s\n", shape.c_str(),
                    shapeText(want.dims.data(), want.dims.size()).c_str());
        setOk = false;
        continue;
      }
      Comparison c = compare(got, want, o.atol, o.rtol);
      std::printf("max_abs=%.3g max_rel=%.3g", c.maxAbs, c.maxRel);
      if (got.dtype != want.dtype)
        std::printf(" (expected dtype %s)", dtypeText(want.dtype).c_str());
      if (c.numBad) {
        std::printf(" FAIL: %llu of %llu elements differ by more than atol + "
                    "rtol*|expected|; first at %s: %.9g, expected %.9g\n",
                    (unsigned long long)c.numBad,
                    (unsigned long long)want.numElements(),
                    indexText(c.firstBad, got.dims, size_t(got.rank)).c_str(),
                    c.firstGot, c.firstExpected);
        setOk = false;
      } else {
        std::printf(" ok\n");
      }
    }
    mismatched += !setOk;
  }
  size_t total = sets.size();
  if (failed || mismatched) {
    std::printf("FAILED: %d of %zu test sets mismatched, %d could not run "
                "(atol %g, rtol %g)\n",
                mismatched, total, failed, o.atol, o.rtol);
    return failed ? kExitError : kExitMismatch;
  }
  std::printf("PASSED: %zu test sets (atol %g, rtol %g)\n", total, o.atol,
              o.rtol);
  return 0;
}

//===----------------------------------------------------------------------===//
// --bench
//===----------------------------------------------------------------------===//


/// Per-kernel time of a profiling package, most expensive first.
void printProfile(const rt::Session &session, size_t kernels, int64_t runs,
                  double totalMs) {
  struct Row {
    const char *name;
    int64_t calls;
    double seconds;
  };
  std::vector<Row> rows(kernels);
  for (size_t k = 0; k < kernels; ++k)
    rt::check(slm_session_profile_entry(session.get(), k, &rows[k].name, &rows[k].calls,
                                        &rows[k].seconds));
  std::sort(rows.begin(), rows.end(),
            [](const Row &a, const Row &b) { return a.seconds > b.seconds; });
  std::printf("per-kernel profile (%lld runs):\n  %-36s %8s %12s %7s\n",
              (long long)runs, "kernel", "calls/run", "ms/run", "share");
  for (const Row &r : rows) {
    double msPerRun = r.seconds * 1e3 / double(runs);
    std::printf("  %-36s %8lld %12.4f %6.1f%%\n", r.name,
                (long long)(r.calls / runs), msPerRun,
                totalMs > 0 ? 100.0 * msPerRun * double(runs) / totalMs : 0.0);
  }
}

int runBench(const Options &o, const rt::Package &pkg) {
  // Symbol values: the usual exporter names from --seq/--past, --sym for
  // the rest, 1 otherwise.
  std::map<std::string, int64_t, std::less<>> values;
  for (const std::string &s : pkg.symbols()) {
    int64_t v = 1;
    if (s == "sequence_length")
      v = o.seq;
    else if (s == "past_sequence_length")
      v = o.past;
    else if (s == "total_sequence_length")
      v = o.past + o.seq;
    values[s] = v;
  }
  for (auto &[name, v] : o.symbols) {
    if (!values.count(name))
      usageError("--sym " + name + ": the package has no symbol '" + name +
                 "'");
    values[name] = v;
  }

  std::vector<HostTensor> inputs(pkg.numInputs());
  uint64_t rng = 0x9E3779B97F4A7C15ULL;
  for (size_t i = 0; i < inputs.size(); ++i) {
    rt::TensorInfo info = pkg.input(i);
    HostTensor &t = inputs[i];
    t.name = info.name;
    t.dtype = info.dtype;
    for (const std::string &d : info.dims) {
      std::optional<slm::DimExpr> e = slm::DimExpr::parse(d);
      std::optional<int64_t> v = e ? e->evaluate(values) : std::nullopt;
      if (!v || *v < 0)
        die("cannot size input '" + t.name + "' dim '" + d + "'");
      t.dims.push_back(*v);
    }
    t.allocate();
    uint64_t n = t.numElements();
    bool isFloat =
        t.dtype == SLM_DTYPE_FLOAT32 || t.dtype == SLM_DTYPE_FLOAT64 ||
        t.dtype == SLM_DTYPE_FLOAT16 || t.dtype == SLM_DTYPE_BFLOAT16;
    bool isMask = info.name.find("mask") != std::string::npos;
    bool isPosition = info.name.find("position") != std::string::npos;
    for (uint64_t j = 0; j < n; ++j) {
      uint8_t *p = t.data.get() + j * slm_dtype_size(t.dtype);
      if (isFloat) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        float f = float(rng >> 40) / float(1 << 24) * 2.0f - 1.0f;
        if (t.dtype == SLM_DTYPE_FLOAT32) {
          std::memcpy(p, &f, 4);
        } else if (t.dtype == SLM_DTYPE_FLOAT64) {
          double d = f;
          std::memcpy(p, &d, 8);
        } else if (t.dtype == SLM_DTYPE_FLOAT16) {
          uint16_t h = floatToHalf(f);
          std::memcpy(p, &h, 2);
        } else {
          uint32_t bits;
          std::memcpy(&bits, &f, 4);
          uint16_t b = uint16_t(bits >> 16);
          std::memcpy(p, &b, 2);
        }
        continue;
      }
      // Integers: token 0, mask 1, positions past + i along the last dim.
      int64_t v = 0;
      if (isMask)
        v = 1;
      else if (isPosition && !t.dims.empty())
        v = o.past + int64_t(j % uint64_t(t.dims.back()));
      std::memcpy(p, &v, slm_dtype_size(t.dtype)); // little-endian
    }
  }
  std::vector<slm_tensor> views;
  for (const HostTensor &t : inputs)
    views.push_back(t.view());

  rt::Session session(pkg, o.threads);
  std::string symbolText;
  for (auto &[name, v] : values)
    symbolText += " " + name + "=" + std::to_string(v);
  std::printf("bench: %s,%s, threads %d\n", pkg.info().target,
              symbolText.c_str(), session.numThreads());
  for (int64_t i = 0; i < o.warmup; ++i)
    session.run(views);
  // Packages built with `slmc compile --profile` time each kernel.
  size_t kernels = slm_session_profile_size(session.get());
  if (kernels)
    rt::check(slm_session_profile_enable(session.get(), 1));
  std::vector<double> ms;
  for (int64_t i = 0; i < o.iters; ++i) {
    auto start = std::chrono::steady_clock::now();
    session.run(views);
    auto end = std::chrono::steady_clock::now();
    ms.push_back(
        std::chrono::duration<double, std::milli>(end - start).count());
  }
  std::sort(ms.begin(), ms.end());
  double median = ms.size() % 2
                      ? ms[ms.size() / 2]
                      : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
  std::printf("latency over %lld runs (after %lld warm-up): median %.4g ms, "
              "min %.4g ms, max %.4g ms\n",
              (long long)o.iters, (long long)o.warmup, median, ms.front(),
              ms.back());
  if (kernels)
    printProfile(session, kernels, o.iters, std::accumulate(ms.begin(), ms.end(), 0.0));
  return 0;
}

//===----------------------------------------------------------------------===//
// --info
//===----------------------------------------------------------------------===//

int printInfo(const rt::Package &pkg) {
  const slm_package_info &i = pkg.info();
  auto dims = [](const rt::TensorInfo &t) {
    std::string out = "[";
    for (size_t d = 0; d < t.dims.size(); ++d)
      out += (d ? ", " : "") + t.dims[d];
    return out + "]";
  };
  std::printf("schema version: %u\n", i.schema_version);
  std::printf("producer: %s\n", i.producer);
  std::printf("target: %s (triple %s, cpu %s)\n", i.target, i.target_triple,
              i.target_cpu);
  std::printf("target features: %s\n", i.target_features);
  std::printf("required CPU features:");
  for (size_t k = 0; k < i.num_required_cpu_features; ++k)
    std::printf(" %s%s", i.required_cpu_features[k],
                slm_cpu_has_feature(i.required_cpu_features[k]) == 1
                    ? ""
                    : " (missing here)");
  std::printf("\nsymbols:");
  for (size_t k = 0; k < i.num_symbols; ++k)
    std::printf(" %s", i.symbols[k]);
  std::printf("\n");
  for (size_t k = 0; k < i.num_inputs; ++k) {
    rt::TensorInfo t = pkg.input(k);
    std::printf("input %zu: %s %s %s\n", k, t.name.c_str(),
                dtypeText(t.dtype).c_str(), dims(t).c_str());
  }
  for (size_t k = 0; k < i.num_outputs; ++k) {
    rt::TensorInfo t = pkg.output(k);
    std::printf("output %zu: %s %s %s\n", k, t.name.c_str(),
                dtypeText(t.dtype).c_str(), dims(t).c_str());
  }
  for (size_t k = 0; k < i.num_kv_cache_bindings; ++k) {
    uint32_t in, out;
    rt::check(slm_package_kv_cache_binding(pkg.get(), k, &in, &out));
    std::printf("kv cache: %s -> %s\n", pkg.output(out).name.c_str(),
                pkg.input(in).name.c_str());
  }
  std::printf("weights: %zu, %llu bytes\n", i.num_weights,
              (unsigned long long)i.weight_bytes);
  std::printf("kernel library: %llu bytes\n",
              (unsigned long long)i.kernel_bytes);
  if (i.context_limit)
    std::printf("context limit: %u (%s)\n", i.context_limit, i.context_length);
  else
    std::printf("context limit: none\n");
  return 0;
}

//===----------------------------------------------------------------------===//
// Packages of another architecture
//===----------------------------------------------------------------------===//

#if defined(__x86_64__)
constexpr const char *kHostArch = "x86_64";
#elif defined(__aarch64__)
constexpr const char *kHostArch = "aarch64";
#else
constexpr const char *kHostArch = "";
#endif

/// The first executable called `name` on PATH, or "".
std::string findOnPath(const std::string &name) {
  const char *path = std::getenv("PATH");
  std::string list = path ? path : "/usr/bin:/bin";
  for (size_t start = 0; start <= list.size();) {
    size_t end = list.find(':', start);
    end = end == std::string::npos ? list.size() : end;
    std::string candidate = list.substr(start, end - start) + "/" + name;
    if (end > start && access(candidate.c_str(), X_OK) == 0)
      return candidate;
    start = end + 1;
  }
  return "";
}

/// A package built for another architecture (an Arm64 package on x86) runs
/// through that architecture's build of slmc-run under qemu user-mode
/// emulation, with the same arguments: the same command works for every
/// target. Returns only when the package is for this host; dies when the
/// emulator or the runner is missing.
void runForeignPackage(const Options &o, char **argv) {
  std::string triple, target;
  {
    rt::Package header = rt::Package::open(o.package, SLM_OPEN_NO_KERNEL);
    triple = header.info().target_triple;
    target = header.info().target;
  }
  std::string arch = triple.substr(0, triple.find('-'));
  if (arch.empty() || arch == kHostArch || arch == "amd64")
    return;
  // SLMC_RUN_<ARCH> names the runner; by default the build's
  // <build>/<arch>/bin/slmc-run beside <build>/bin/slmc-run.
  std::string env = "SLMC_RUN_" + arch;
  for (char &c : env)
    c = char(std::toupper(static_cast<unsigned char>(c)));
  std::string runner;
  if (const char *r = std::getenv(env.c_str()))
    runner = r;
  else
    runner = (fs::read_symlink("/proc/self/exe").parent_path().parent_path() / arch / "bin" /
              "slmc-run")
                 .string();
  std::string qemuName = "qemu-" + arch + "-static";
  std::string qemu = findOnPath(qemuName);
  std::string sysroot = "/usr/" + arch + "-linux-gnu";
  std::string needs = o.package + ": the package is for target '" + target + "' (" + triple +
                      "), not this " + kHostArch + " host; ";
  if (qemu.empty())
    die(needs + "running it here needs " + qemuName +
        " on PATH (Debian: apt-get install qemu-user-static)");
  if (access(runner.c_str(), X_OK) != 0)
    die(needs + "running it here needs the " + arch + " build of slmc-run at '" + runner +
        "' (the slmc build makes it when the " + arch + " cross sysroot is installed: "
        "scripts/deps.sh; or set " + env + ")");
  std::fprintf(stderr, "slmc-run: %s package (target %s): running %s under %s\n",
               arch.c_str(), target.c_str(), runner.c_str(), qemu.c_str());
  std::fflush(stderr);
  std::vector<char *> args = {const_cast<char *>(qemu.c_str()), const_cast<char *>("-L"),
                              const_cast<char *>(sysroot.c_str()),
                              const_cast<char *>(runner.c_str())};
  for (char **a = argv + 1; *a; ++a)
    args.push_back(*a);
  args.push_back(nullptr);
  execv(qemu.c_str(), args.data());
  die("cannot run " + qemu + ": " + std::strerror(errno));
}

} // namespace

int main(int argc, char **argv) {
  Options o = parseArgs(argc, argv);
  try {
    if (!o.info)
      runForeignPackage(o, argv);
    rt::Package pkg =
        rt::Package::open(o.package, o.info ? SLM_OPEN_NO_KERNEL : 0);
    if (o.info)
      return printInfo(pkg);
    if (o.bench)
      return runBench(o, pkg);
    if (!o.evalText.empty())
      return runEvalText(o, pkg);
    if (o.generate)
      return runGenerate(o, pkg);
    if (o.greedyContinue)
      return runGreedyContinue(o, pkg);
    return runTestDir(o, pkg);
  } catch (const rt::Error &e) {
    die(e.what());
  }
}

//===- TextModes.cpp - Byte-level model modes of slmc-run -----------------===//
//
//   --eval-text FILE    bits per byte with a prefill package
//   --generate          prompt + KV-cache decoding with a decode package
//   --greedy-continue   greedy continuation with a prefill package, the whole
//                       text re-run for every byte (a reference for the
//                       decode path)
//
// Byte-level: token id = byte value, 256 logits per position, no BOS/EOS.
//
//===----------------------------------------------------------------------===//

#include "Common.h"
#include "KvCache.h"
#include "Sampler.h"
#include "dialects/slm/IR/DimExpr.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>
#include <unistd.h>

namespace slmc_run {
namespace {

constexpr int64_t kVocab = 256;
constexpr int64_t kDefaultMaxContext = 256;

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string packageName(const Options &o) { return "'" + o.package + "'"; }

/// "input_ids, attention_mask, position_ids, past_key_values.0.key, ..."
std::string inputNames(const rt::Package &pkg) {
  const size_t shown = 4, n = pkg.numInputs();
  std::string out;
  for (size_t i = 0; i < n && i < shown; ++i)
    out += (i ? ", " : "") + pkg.input(i).name;
  if (n > shown)
    out += ", ...";
  return out;
}

/// The constant value of a dim, if it is one.
std::optional<int64_t> constantDim(const std::string &dim) {
  std::optional<slm::DimExpr> e = slm::DimExpr::parse(dim);
  return e ? e->getConstant() : std::nullopt;
}

/// The symbol a dim is, if it is a plain symbol.
std::optional<std::string> symbolDim(const std::string &dim) {
  std::optional<slm::DimExpr> e = slm::DimExpr::parse(dim);
  if (!e || e->symbols().size() != 1 ||
      *e != slm::DimExpr::symbol(e->symbols()[0]))
    return std::nullopt;
  return e->symbols()[0];
}

/// The 'logits' output of a byte-level model: float, [..., 256].
size_t findByteLogits(const Options &o, const rt::Package &pkg,
                      const std::string &mode, size_t rank) {
  std::optional<size_t> index = pkg.findOutput("logits");
  if (!index)
    die(mode + " needs a 'logits' output; " + packageName(o) + " has none");
  rt::TensorInfo t = pkg.output(*index);
  if (!isFloatDtype(t.dtype) || t.dims.size() != rank ||
      constantDim(t.dims.back()) != kVocab)
    die(mode +
        " needs a byte-level model (token id = byte value): float "
        "logits [batch, sequence, 256]; " +
        packageName(o) + " has logits " + dtypeText(t.dtype) + " " +
        dimsText(t) +
        (t.dims.size() == rank && !constantDim(t.dims.back())
             ? ""
             : ": a vocabulary of " + t.dims.back() + ", not 256 bytes"));
  return *index;
}

/// A prefill package of a byte-level model: one int64 input_ids [batch,
/// sequence] -> logits [batch, sequence, 256].
struct BytePrefill {
  size_t logits;
  std::optional<int64_t> fixedBatch; // the batch dim, if a constant
  std::optional<int64_t> fixedSeq;   // the sequence dim, if a constant
};

BytePrefill checkBytePrefill(const Options &o, const rt::Package &pkg,
                             const std::string &mode) {
  const std::string want =
      " needs the prefill package of a byte-level model, "
      "with one input: int64 input_ids [batch, sequence]; ";
  if (pkg.numInputs() != 1)
    die(mode + want + packageName(o) + " has " +
        std::to_string(pkg.numInputs()) + " inputs (" + inputNames(pkg) + ")" +
        (pkg.info().num_kv_cache_bindings
             ? ": a decode package? compile the prefill graph"
             : ""));
  rt::TensorInfo in = pkg.input(0);
  if (in.name != "input_ids" || in.dtype != SLM_DTYPE_INT64 ||
      in.dims.size() != 2)
    die(mode + want + packageName(o) + " has " + dtypeText(in.dtype) + " " +
        in.name + " " + dimsText(in));
  BytePrefill p;
  p.logits = findByteLogits(o, pkg, mode, 3);
  p.fixedBatch = constantDim(in.dims[0]);
  p.fixedSeq = constantDim(in.dims[1]);
  return p;
}

/// Reads the whole file.
std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    die("cannot read text file '" + path + "': " + std::strerror(errno));
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  if (in.bad())
    die("cannot read text file '" + path + "'");
  return text;
}

/// The context limit for generation: the package's, else --max-context (or
/// its default); --max-context may lower the package's.
int64_t contextLimit(const Options &o, const rt::Package &pkg,
                     std::string &source) {
  int64_t limit = pkg.info().context_limit;
  if (limit && (!o.maxContext || *o.maxContext >= limit)) {
    source = "the package's context limit";
    return limit;
  }
  if (o.maxContext) {
    source = "--max-context";
    return *o.maxContext;
  }
  source = "the package declares none; --max-context defaults to 256";
  return kDefaultMaxContext;
}

/// Positions of the prompt and the generated bytes must fit the context.
void checkPrompt(const Options &o, int64_t context, const std::string &source) {
  if (o.prompt->empty())
    die("the prompt is empty: a byte-level model has no start token, give "
        "at least one byte");
  if (int64_t(o.prompt->size()) > context)
    die("the prompt has " + std::to_string(o.prompt->size()) +
        " bytes, more than the context of " + std::to_string(context) +
        " tokens (" + source + ")");
}

/// Streams the generated text to stdout; messages after it on a terminal
/// start on a line of their own.
class TextOut {
public:
  void put(size_t byte) {
    std::fputc(int(byte), stdout);
    std::fflush(stdout);
    last_ = int(byte);
  }
  void endLine() {
    if (last_ >= 0 && last_ != '\n' && isatty(1) && isatty(2))
      std::fputc('\n', stderr);
    last_ = -1;
  }

private:
  int last_ = -1;
};

void stopAtContext(TextOut &out, int64_t done, int64_t wanted, int64_t context,
                   const std::string &source) {
  out.endLine();
  std::fprintf(stderr,
               "slmc-run: stopped after %lld of %lld bytes: the prompt and "
               "the text fill the context of %lld tokens (%s)\n",
               (long long)done, (long long)wanted, (long long)context,
               source.c_str());
}

} // namespace

//===----------------------------------------------------------------------===//
// --eval-text
//===----------------------------------------------------------------------===//

int runEvalText(const Options &o, const rt::Package &pkg) {
  const std::string mode = "--eval-text";
  std::string text = readFile(o.evalText);
  BytePrefill p = checkBytePrefill(o, pkg, mode);
  const int64_t window = o.window;
  if (p.fixedSeq && *p.fixedSeq != window)
    die(mode + ": " + packageName(o) + " takes sequences of exactly " +
        std::to_string(*p.fixedSeq) + " tokens, not --window " +
        std::to_string(window));
  if (uint32_t limit = pkg.info().context_limit; limit && window > limit)
    die(mode + ": --window " + std::to_string(window) +
        " is longer than the package's context limit of " +
        std::to_string(limit));
  const int64_t numWindows = int64_t(text.size()) / window;
  if (numWindows == 0)
    die(mode + ": '" + o.evalText + "' has " + std::to_string(text.size()) +
        " bytes, fewer than one window of " + std::to_string(window));
  // Windows per run; a constant batch dim is padded with repeats.
  const int64_t batch = p.fixedBatch ? *p.fixedBatch : o.batch;
  if (batch < 1)
    die(mode + ": " + packageName(o) + " has a batch dim of " +
        std::to_string(batch));
  const int64_t numBatches = (numWindows + batch - 1) / batch;
  // Windows are independent: by default one session per core, each with
  // one thread (faster than threads inside one run for small models).
  const int cores = availableCores();
  const int64_t jobs = std::min<int64_t>(
      o.jobs ? o.jobs : std::max(1, cores / (o.threads ? o.threads : 1)),
      numBatches);
  const int32_t threads =
      o.threads ? o.threads : std::max(1, cores / int(jobs));

  std::vector<double> windowNll(size_t(numWindows), 0.0);
  std::atomic<int64_t> nextBatch{0}, windowsDone{0};
  std::mutex mutex;
  std::condition_variable finished;
  int64_t workersLeft = jobs;
  std::string firstError;
  std::atomic<bool> stop{false};

  auto work = [&](rt::Session &session) {
    HostTensor ids;
    ids.name = "input_ids";
    ids.dtype = SLM_DTYPE_INT64;
    ids.dims = {batch, window};
    ids.allocate();
    std::vector<double> row(kVocab);
    for (int64_t b; !stop && (b = nextBatch++) < numBatches;) {
      int64_t first = b * batch;
      int64_t count = std::min(batch, numWindows - first);
      ids.dims[0] = p.fixedBatch ? batch : count;
      int64_t *idp = reinterpret_cast<int64_t *>(ids.data.get());
      for (int64_t r = 0; r < ids.dims[0]; ++r) {
        int64_t w = first + std::min(r, count - 1); // pad with the last
        const unsigned char *bytes =
            reinterpret_cast<const unsigned char *>(text.data()) + w * window;
        for (int64_t t = 0; t < window; ++t)
          idp[r * window + t] = bytes[t];
      }
      session.run({ids.view()});
      slm_tensor logits = session.output(p.logits);
      if (logits.rank != 3 || logits.dims[0] != ids.dims[0] ||
          logits.dims[1] != window || logits.dims[2] != kVocab)
        throw rt::Error(
            SLM_ERROR_INVALID_ARGUMENT,
            "the run returned logits " +
                shapeText(logits.dims, size_t(logits.rank)) + ", expected " +
                shapeText(
                    std::vector<int64_t>{ids.dims[0], window, kVocab}.data(),
                    3));
      for (int64_t r = 0; r < count; ++r) {
        // Position t predicts byte t + 1 of the window.
        double nll = 0;
        for (int64_t t = 0; t + 1 < window; ++t) {
          readDoubles(logits, uint64_t((r * window + t) * kVocab), kVocab,
                      row.data());
          double top = row[argmax(row.data(), kVocab)];
          double sum = 0;
          for (double x : row)
            sum += std::exp(x - top);
          nll += std::log(sum) + top - row[size_t(idp[r * window + t + 1])];
        }
        windowNll[size_t(first + r)] = nll;
      }
      windowsDone += count;
    }
  };

  Clock::time_point start = Clock::now();
  std::vector<std::thread> workers;
  for (int64_t j = 0; j < jobs; ++j)
    workers.emplace_back([&] {
      std::string error;
      try {
        rt::Session session(pkg, threads);
        work(session);
      } catch (const std::exception &e) { // rt::Error, bad_alloc
        error = e.what();
      }
      std::lock_guard<std::mutex> lock(mutex);
      if (!error.empty() && firstError.empty()) {
        firstError = error;
        stop = true;
      }
      --workersLeft;
      finished.notify_all();
    });
  {
    std::unique_lock<std::mutex> lock(mutex);
    while (!finished.wait_for(lock, std::chrono::seconds(5),
                              [&] { return workersLeft == 0; }))
      std::fprintf(stderr, "slmc-run: eval-text: %lld/%lld windows, %.0f s\n",
                   (long long)windowsDone.load(), (long long)numWindows,
                   secondsSince(start));
  }
  for (std::thread &t : workers)
    t.join();
  if (!firstError.empty())
    die(firstError);
  double seconds = secondsSince(start);

  double total = 0; // in window order: the same sum for any --jobs
  for (double nll : windowNll)
    total += nll;
  int64_t predicted = numWindows * (window - 1);
  double bpb = total / double(predicted) / std::log(2.0);
  std::printf("windows=%lld predicted_bytes=%lld seconds=%.3f\n",
              (long long)numWindows, (long long)predicted, seconds);
  std::printf("bits_per_byte=%.10f\n", bpb);
  return 0;
}

//===----------------------------------------------------------------------===//
// --generate
//===----------------------------------------------------------------------===//

namespace {

/// A byte-level decode package: its inputs and the step that runs it.
class Decoder {
public:
  Decoder(const Options &o, const rt::Package &pkg, int64_t context)
      : session_(pkg, o.threads) {
    const std::string mode = "--generate";
    const std::string want =
        " needs the decode package of a byte-level model (inputs input_ids, "
        "attention_mask, position_ids, past_key_values.*; outputs logits, "
        "present.*); ";
    auto find = [&](const char *name) {
      std::optional<size_t> i = pkg.findInput(name);
      if (!i)
        die(mode + want + packageName(o) + " has inputs " + inputNames(pkg) +
            (pkg.numInputs() == 1 ? ": a prefill package? compile the "
                                    "decode graph"
                                  : ""));
      rt::TensorInfo t = pkg.input(*i);
      if (t.dtype != SLM_DTYPE_INT64 || t.dims.size() != 2)
        die(mode + want + "its " + t.name + " is " + dtypeText(t.dtype) + " " +
            dimsText(t) + ", expected int64 [batch, length]");
      return *i;
    };
    ids_.index = find("input_ids");
    mask_.index = find("attention_mask");
    positions_.index = find("position_ids");
    if (pkg.info().num_kv_cache_bindings == 0)
      die(mode + want + packageName(o) +
          " has no KV-cache bindings (present.* -> past_key_values.*)");
    logits_ = findByteLogits(o, pkg, mode, 3);

    // The batch is 1: a constant must say so; a symbol is bound to 1.
    std::set<std::string> batchSymbols;
    for (Input *in : {&ids_, &mask_, &positions_}) {
      std::string dim = pkg.input(in->index).dims[0];
      if (std::optional<std::string> s = symbolDim(dim))
        batchSymbols.insert(*s);
      else if (constantDim(dim) != 1)
        die(mode + ": the batch dim of '" + pkg.input(in->index).name +
            "' is '" + dim + "'; generation runs batch 1");
    }
    cache_.emplace(pkg, session_, batchSymbols, context);
    for (size_t i = 0; i < pkg.numInputs(); ++i)
      if (i != ids_.index && i != mask_.index && i != positions_.index &&
          !cache_->feeds(i))
        die(mode + want + packageName(o) + " also has the input '" +
            pkg.input(i).name + "', which generation cannot fill");
    for (Input *in : {&ids_, &mask_, &positions_}) {
      in->tensor.name = pkg.input(in->index).name;
      in->tensor.dtype = SLM_DTYPE_INT64;
      in->tensor.dims = {1, 0};
      in->tensor.allocate(uint64_t(context) * sizeof(int64_t));
    }
    inputs_.resize(pkg.numInputs());
  }

  int64_t length() const { return cache_->length(); }

  /// Runs `tokens` after the cached ones; returns the logits of the last.
  const std::vector<double> &step(const unsigned char *tokens, int64_t n) {
    int64_t past = cache_->length();
    auto fill = [](Input &in, int64_t count, auto value) {
      in.tensor.dims = {1, count};
      int64_t *p = reinterpret_cast<int64_t *>(in.tensor.data.get());
      for (int64_t i = 0; i < count; ++i)
        p[i] = value(i);
      in.tensor.bytes = uint64_t(count) * sizeof(int64_t);
    };
    fill(ids_, n, [&](int64_t i) { return int64_t(tokens[i]); });
    fill(mask_, past + n, [](int64_t) { return int64_t(1); });
    fill(positions_, n, [&](int64_t i) { return past + i; });
    for (Input *in : {&ids_, &mask_, &positions_})
      inputs_[in->index] = in->tensor.view();
    cache_->bind(inputs_);
    session_.run(inputs_);
    slm_tensor logits = session_.output(logits_);
    if (logits.rank != 3 || logits.dims[0] != 1 || logits.dims[1] != n ||
        logits.dims[2] != kVocab)
      die("the run returned logits " +
          shapeText(logits.dims, size_t(logits.rank)) + ", expected [1," +
          std::to_string(n) + ",256]");
    lastLogits_.resize(kVocab);
    readDoubles(logits, uint64_t((n - 1) * kVocab), kVocab, lastLogits_.data());
    cache_->advance(session_, n);
    return lastLogits_;
  }

private:
  struct Input {
    size_t index = 0;
    HostTensor tensor;
  };
  rt::Session session_;
  Input ids_, mask_, positions_;
  size_t logits_ = 0;
  std::optional<KvCache> cache_;
  std::vector<slm_tensor> inputs_;
  std::vector<double> lastLogits_;
};

} // namespace

int runGenerate(const Options &o, const rt::Package &pkg) {
  std::string source;
  int64_t context = contextLimit(o, pkg, source);
  Decoder decoder(o, pkg, context);
  checkPrompt(o, context, source);
  uint64_t seed =
      o.seed ? *o.seed
             : uint64_t(
                   std::chrono::system_clock::now().time_since_epoch().count());
  if (o.temperature > 0 && !o.seed)
    std::fprintf(stderr, "slmc-run: seed=%llu\n", (unsigned long long)seed);
  Sampler sampler(o.temperature, o.topK, seed);

  const std::string &prompt = *o.prompt;
  Clock::time_point start = Clock::now();
  const std::vector<double> *logits =
      &decoder.step(reinterpret_cast<const unsigned char *>(prompt.data()),
                    int64_t(prompt.size()));
  double promptSeconds = secondsSince(start);

  int64_t generated = 0, decodeSteps = 0;
  double decodeSeconds = 0;
  TextOut out;
  while (generated < o.numTokens) {
    unsigned char byte = (unsigned char)sampler.pick(logits->data(), kVocab);
    out.put(byte);
    if (++generated == o.numTokens)
      break;
    if (decoder.length() + 1 > context) {
      stopAtContext(out, generated, o.numTokens, context, source);
      break;
    }
    Clock::time_point t = Clock::now();
    logits = &decoder.step(&byte, 1);
    decodeSeconds += secondsSince(t);
    ++decodeSteps;
  }
  out.endLine();
  std::fprintf(stderr,
               "prompt_tokens=%zu prompt_seconds=%.4f "
               "prompt_tokens_per_second=%.1f\n",
               prompt.size(), promptSeconds,
               double(prompt.size()) / promptSeconds);
  std::fprintf(
      stderr, "decode_tokens=%lld decode_seconds=%.4f tokens_per_second=%.1f\n",
      (long long)decodeSteps, decodeSeconds,
      decodeSteps ? double(decodeSteps) / decodeSeconds : 0.0);
  return 0;
}

//===----------------------------------------------------------------------===//
// --greedy-continue
//===----------------------------------------------------------------------===//

int runGreedyContinue(const Options &o, const rt::Package &pkg) {
  const std::string mode = "--greedy-continue";
  BytePrefill p = checkBytePrefill(o, pkg, mode);
  if (p.fixedBatch && *p.fixedBatch != 1)
    die(mode + ": the batch dim of 'input_ids' is " +
        std::to_string(*p.fixedBatch) + "; generation runs batch 1");
  if (p.fixedSeq)
    die(mode + ": " + packageName(o) + " takes sequences of exactly " +
        std::to_string(*p.fixedSeq) + " tokens; the text grows");
  std::string source;
  int64_t context = contextLimit(o, pkg, source);
  checkPrompt(o, context, source);

  rt::Session session(pkg, o.threads);
  HostTensor ids;
  ids.name = "input_ids";
  ids.dtype = SLM_DTYPE_INT64;
  ids.dims = {1, 0};
  ids.allocate(uint64_t(context) * sizeof(int64_t));
  int64_t *idp = reinterpret_cast<int64_t *>(ids.data.get());
  int64_t length = 0;
  for (unsigned char c : *o.prompt)
    idp[length++] = c;
  std::vector<double> row(kVocab);
  TextOut out;
  for (int64_t generated = 0; generated < o.numTokens; ++generated) {
    if (length > context) {
      stopAtContext(out, generated, o.numTokens, context, source);
      break;
    }
    ids.dims[1] = length;
    session.run({ids.view()});
    slm_tensor logits = session.output(p.logits);
    if (logits.rank != 3 || logits.dims[1] != length ||
        logits.dims[2] != kVocab)
      die("the run returned logits " +
          shapeText(logits.dims, size_t(logits.rank)) + ", expected [1," +
          std::to_string(length) + ",256]");
    readDoubles(logits, uint64_t((length - 1) * kVocab), kVocab, row.data());
    size_t byte = argmax(row.data(), kVocab);
    out.put(byte);
    if (length < context)
      idp[length] = int64_t(byte);
    ++length;
  }
  out.endLine();
  return 0;
}

} // namespace slmc_run

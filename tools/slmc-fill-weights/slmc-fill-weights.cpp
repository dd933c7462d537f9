//===- slmc-fill-weights.cpp - Deterministic random weights for a model ---===//
//
// The real-size test models ship without weights.bin (only the graph and
// weights_index.json, which lists every external tensor with its offset and
// length). This tool writes a weights.bin that the graph can load: norm
// weights 1, biases 0, everything else ~N(0, 0.02), from a seeded generator
// of our own so that the bytes are identical on every machine.
//
// The values use integer arithmetic only (a sum of 12 uniform 16-bit draws,
// Irwin-Hall: mean 0, variance 1, tails cut at 6 sigma) and one float
// multiply; Box-Muller would need log/cos, whose last bits differ between
// libm versions. Each tensor's stream is keyed by (seed, name), so a tensor's
// values do not depend on the others.
//
//===----------------------------------------------------------------------===//

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

using namespace llvm;

static cl::OptionCategory category("slmc-fill-weights options");

static cl::opt<std::string> modelDir(cl::Positional, cl::Required, cl::desc("MODEL_DIR"),
                                     cl::cat(category));
static cl::opt<uint64_t> seed("seed", cl::desc("Random seed (default 0)"), cl::init(0),
                              cl::value_desc("N"), cl::cat(category));
static cl::opt<std::string>
    indexPath("index", cl::desc("The tensor index (default MODEL_DIR/weights_index.json)"),
              cl::value_desc("path"), cl::cat(category));
static cl::opt<std::string>
    outputPath("o",
               cl::desc("Output file (default MODEL_DIR/<external_file of the index>, "
                        "normally weights.bin)"),
               cl::value_desc("path"), cl::cat(category));

namespace {
enum class Fill { Random, One, Zero };

struct Tensor {
  std::string name;
  uint64_t offset = 0;
  uint64_t length = 0;
  Fill fill = Fill::Random;
};

[[noreturn]] void fatal(const Twine &message) {
  errs() << "slmc-fill-weights: error: " << message << "\n";
  exit(1);
}

uint64_t splitmix64(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t fnv1a(StringRef s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s)
    h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

/// Sum of the four 16-bit lanes of `x`.
uint32_t sumLanes(uint64_t x) {
  uint64_t pairs = (x & 0x0000ffff0000ffffULL) + ((x >> 16) & 0x0000ffff0000ffffULL);
  return uint32_t(pairs) + uint32_t(pairs >> 32);
}

/// Approximately N(0, std^2), exactly reproducible: see the file comment.
class NormalStream {
public:
  NormalStream(uint64_t seed, StringRef name, float stddev) {
    uint64_t s = seed;
    state = splitmix64(s) ^ fnv1a(name);
    // d below has standard deviation 2^17 (up to 1 part in 2^33).
    scale = stddev / 131072.0f;
  }
  float next() {
    uint32_t sum =
        sumLanes(splitmix64(state)) + sumLanes(splitmix64(state)) + sumLanes(splitmix64(state));
    // 2*sum - 12*65535 is even and |.| < 2^20: exact in float.
    int32_t d = int32_t(2 * sum) - 12 * 65535;
    return float(d) * scale;
  }

private:
  uint64_t state;
  float scale;
};

/// Norm weights 1, biases 0, everything else random: from the index's
/// `kind` ("norm weight", "linear weight", ...) when present, else from the
/// parameter name.
Fill classify(std::optional<StringRef> kind, StringRef param) {
  StringRef text = kind ? *kind : param;
  std::string lower = text.lower();
  StringRef l(lower);
  if (l.contains("bias"))
    return Fill::Zero;
  if (l.contains("norm") || (!kind && (l.contains("ln_") || l.contains("layernorm"))))
    return Fill::One;
  return Fill::Random;
}

/// Reads the index: an object with an `external` list (and optionally
/// `external_file`), or a bare list. Returns the output file name.
std::string readIndex(StringRef path, std::vector<Tensor> &tensors) {
  auto buffer = MemoryBuffer::getFile(path, /*IsText=*/false,
                                      /*RequiresNullTerminator=*/false);
  if (!buffer)
    fatal("cannot read '" + path + "': " + buffer.getError().message());
  Expected<json::Value> root = json::parse((*buffer)->getBuffer());
  if (!root)
    fatal(path + ": invalid JSON: " + toString(root.takeError()));

  std::string externalFile = "weights.bin";
  const json::Array *list = root->getAsArray();
  if (const json::Object *obj = root->getAsObject()) {
    list = obj->getArray("external");
    if (auto file = obj->getString("external_file"))
      externalFile = file->str();
    else if (obj->get("external_file"))
      fatal(path + ": 'external_file' must be a string");
  }
  if (!list)
    fatal(path + ": expected a list of tensors or an object with an 'external' list");

  for (auto [i, value] : llvm::enumerate(*list)) {
    const json::Object *entry = value.getAsObject();
    std::string where = (path + ": entry " + Twine(i)).str();
    if (!entry)
      fatal(where + " is not an object");
    std::optional<StringRef> name = entry->getString("name");
    if (!name)
      fatal(where + ": missing 'name'");
    where += " ('" + name->str() + "')";
    auto field = [&](StringRef key) -> uint64_t {
      std::optional<int64_t> v = entry->getInteger(key);
      if (!v || *v < 0)
        fatal(where + ": missing or invalid '" + key + "'");
      return uint64_t(*v);
    };
    std::optional<StringRef> dtype = entry->getString("dtype");
    if (!dtype)
      fatal(where + ": missing 'dtype'");
    if (*dtype != "FLOAT")
      fatal(where + ": unsupported dtype '" + *dtype + "' (only FLOAT)");
    const json::Array *shape = entry->getArray("shape");
    if (!shape)
      fatal(where + ": missing 'shape'");
    uint64_t bytes = 4;
    for (const json::Value &dim : *shape) {
      std::optional<int64_t> d = dim.getAsInteger();
      if (!d || *d < 0 || __builtin_mul_overflow(bytes, uint64_t(*d), &bytes))
        fatal(where + ": invalid 'shape'");
    }

    Tensor t;
    t.name = name->str();
    t.offset = field("offset");
    t.length = entry->get("length") ? field("length") : bytes;
    if (t.length != bytes)
      fatal(where + ": length " + Twine(t.length) + " but FLOAT" + " with this shape has " +
            Twine(bytes) + " bytes");
    if (t.offset + t.length < t.offset)
      fatal(where + ": offset + length overflows");
    std::optional<StringRef> param = entry->getString("derived_from");
    t.fill = classify(entry->getString("kind"), param ? *param : *name);
    tensors.push_back(std::move(t));
  }
  return externalFile;
}

/// True if `name` stays inside the model folder.
bool isContainedPath(StringRef name) {
  if (name.empty() || sys::path::is_absolute(name))
    return false;
  return llvm::none_of(make_range(sys::path::begin(name), sys::path::end(name)),
                       [](StringRef part) { return part == ".."; });
}

std::string formatGB(uint64_t bytes) {
  std::string s;
  raw_string_ostream(s) << format("%.2f GB", double(bytes) / 1e9);
  return s;
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "Writes deterministic random weights for a model whose external data is "
      "missing.\n\n"
      "Reads MODEL_DIR/weights_index.json (name, dtype, shape, offset, length, "
      "kind of every external tensor) and writes MODEL_DIR/weights.bin with each "
      "tensor at its offset: norm weights 1.0, biases 0.0, all else ~N(0, 0.02). "
      "The same seed gives the same bytes on every machine. Only FLOAT tensors "
      "are supported.\n");
  auto start = std::chrono::steady_clock::now();

  SmallString<256> index(indexPath);
  if (index.empty()) {
    index = modelDir;
    sys::path::append(index, "weights_index.json");
  }
  std::vector<Tensor> tensors;
  std::string externalFile = readIndex(index, tensors);

  SmallString<256> output(outputPath);
  if (output.empty()) {
    if (!isContainedPath(externalFile))
      fatal(index + ": external_file '" + externalFile +
            "' must be a relative path inside the model folder");
    output = modelDir;
    sys::path::append(output, externalFile);
  }

  // Sorted by offset, no overlaps; gaps (alignment) become zeros.
  llvm::sort(tensors, [](const Tensor &a, const Tensor &b) {
    return std::tie(a.offset, a.length, a.name) < std::tie(b.offset, b.length, b.name);
  });
  uint64_t total = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (i > 0 && tensors[i].offset < tensors[i - 1].offset + tensors[i - 1].length)
      fatal(index + ": tensors '" + tensors[i - 1].name + "' [offset " +
            Twine(tensors[i - 1].offset) + ", length " + Twine(tensors[i - 1].length) + "] and '" +
            tensors[i].name + "' [offset " + Twine(tensors[i].offset) + ", length " +
            Twine(tensors[i].length) + "] overlap");
    total = std::max(total, tensors[i].offset + tensors[i].length);
  }

  // Write next to the output and rename at the end: never a half file under
  // the real name, even on a crash or Ctrl-C.
  SmallString<256> tempPath;
  int fd;
  if (std::error_code ec = sys::fs::createUniqueFile(output + ".tmp-%%%%%%", fd, tempPath))
    fatal("cannot create a temporary file next to '" + output + "': " + ec.message());
  sys::RemoveFileOnSignal(tempPath);
  auto failWrite = [&](std::error_code ec) {
    sys::fs::remove(tempPath);
    fatal("cannot write '" + tempPath + "': " + ec.message());
  };

  {
    raw_fd_ostream os(fd, /*shouldClose=*/true);
    const size_t chunkFloats = 1 << 18; // 1 MiB
    std::vector<float> chunk(chunkFloats);
    const std::vector<char> zeros(chunkFloats * sizeof(float), 0);
    const bool reportProgress = total >= (uint64_t(256) << 20);
    uint64_t pos = 0;
    unsigned nextPercent = 5;
    auto progress = [&] {
      if (!reportProgress)
        return;
      unsigned percent = unsigned(pos * 100 / total);
      if (percent < nextPercent)
        return;
      errs() << "slmc-fill-weights: " << percent << "% (" << formatGB(pos) << " of "
             << formatGB(total) << ")\n";
      nextPercent = percent / 5 * 5 + 5;
    };
    auto writeZeros = [&](uint64_t n) {
      while (n > 0) {
        size_t step = size_t(std::min<uint64_t>(n, zeros.size()));
        os.write(zeros.data(), step);
        n -= step;
        pos += step;
      }
    };

    for (const Tensor &t : tensors) {
      writeZeros(t.offset - pos);
      NormalStream normal(seed, t.name, 0.02f);
      if (t.fill == Fill::Zero) {
        writeZeros(t.length);
      } else {
        uint64_t left = t.length / sizeof(float);
        if (t.fill == Fill::One)
          std::fill(chunk.begin(), chunk.end(), 1.0f);
        while (left > 0) {
          size_t n = size_t(std::min<uint64_t>(left, chunkFloats));
          if (t.fill == Fill::Random)
            for (size_t i = 0; i < n; ++i)
              chunk[i] = normal.next();
          // The file is little-endian; so is every host we build for.
          static_assert(llvm::endianness::native == llvm::endianness::little);
          os.write(reinterpret_cast<const char *>(chunk.data()), n * sizeof(float));
          left -= n;
          pos += n * sizeof(float);
          progress();
        }
      }
      if (os.has_error())
        failWrite(os.error());
      progress();
    }
    os.close();
    if (os.has_error())
      failWrite(os.error());
  }

  if (std::error_code ec = sys::fs::rename(tempPath, output)) {
    sys::fs::remove(tempPath);
    fatal("cannot rename '" + tempPath + "' to '" + output + "': " + ec.message());
  }
  sys::DontRemoveFileOnSignal(tempPath);

  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  errs() << "slmc-fill-weights: wrote " << tensors.size() << " tensors, " << total << " bytes to '"
         << output << "' in " << format("%.1f", seconds) << " s\n";
  return 0;
}

//===- Package.cpp - Open, validate and load an .slmpkg -------------------===//
//
// Every check happens before anything in the file is trusted: the size
// prefix and identifier, then the schema version (read through a minimal
// verification of the root table, so a newer package gets a version error
// rather than a generic one), the header checksum, the flatbuffers Verifier,
// then every offset, size and dim string. A truncated or corrupt file is an
// error, never a crash. The kernel library is loaded from memory through
// memfd_create: no temp files to clean up or race on.
//
//===----------------------------------------------------------------------===//

#include "runtime/lib/CpuFeatures.h"
#include "runtime/lib/Format.h"
#include "runtime/lib/Internal.h"
#include "runtime/package_generated.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <set>

using namespace slm;
using namespace slm::rt;
namespace fb = flatbuffers;

namespace {

thread_local std::string lastError;

// Guards for hand-crafted headers that carry a valid checksum: the dim
// parser recurses on parentheses and descriptors are built per rank.
constexpr size_t kMaxDimTextLength = 1024;
constexpr int kMaxDimNesting = 32;
constexpr size_t kMaxRank = 32;

/// `[offset, offset + size)` lies inside `[0, limit)`, without overflow.
bool inBounds(uint64_t offset, uint64_t size, uint64_t limit) {
  return size <= limit && offset <= limit - size;
}

std::string str(const fb::String *s) { return s ? s->str() : std::string(); }


const char *hostArch() {
#if defined(__x86_64__)
  return "x86_64";
#elif defined(__aarch64__)
  return "aarch64";
#else
  return "unknown";
#endif
}

const char *elfMachineName(unsigned machine) {
  switch (machine) {
  case EM_X86_64:
    return "x86_64";
  case EM_AARCH64:
    return "aarch64";
  case EM_386:
    return "i386";
  case EM_ARM:
    return "arm";
  case 164:
    return "hexagon"; // EM_QDSP6
  case EM_RISCV:
    return "riscv";
  default:
    return "an unknown machine";
  }
}

/// Validates and copies the package header into `pkg`. `base` and `size`
/// are the whole mapped file.
class HeaderReader {
public:
  HeaderReader(slm_package &pkg, const uint8_t *base, uint64_t size)
      : pkg(pkg), base(base), fileSize(size) {}

  slm_status read();

private:
  slm_status corrupt(const std::string &what) {
    return fail(SLM_ERROR_INVALID_PACKAGE,
                pkg.path + ": corrupt package: " + what);
  }
  slm_status readTensors(const fb::Vector<fb::Offset<pkg::TensorSpec>> *list,
                         const char *kind, std::vector<TensorSpec> &out);
  slm_status parseDim(const std::string &text, const std::string &where,
                      DimExpr &out);

  slm_package &pkg;
  const uint8_t *base;
  uint64_t fileSize;
  std::set<std::string> symbolSet;
};

slm_status HeaderReader::parseDim(const std::string &text,
                                  const std::string &where, DimExpr &out) {
  if (text.size() > kMaxDimTextLength)
    return corrupt(where + " is longer than " +
                   std::to_string(kMaxDimTextLength) + " characters");
  int depth = 0;
  for (char c : text)
    if ((depth += c == '(' ? 1 : c == ')' ? -1 : 0) > kMaxDimNesting)
      return corrupt(where + " nests too deeply");
  std::string error;
  std::optional<DimExpr> e = DimExpr::parse(text, &error);
  if (!e)
    return corrupt(where + ": " + error);
  for (const std::string &s : e->symbols())
    if (!symbolSet.count(s))
      return corrupt(where + " ('" + text + "') uses '" + s +
                     "', which is not a symbol of the package");
  out = std::move(*e);
  return SLM_OK;
}

slm_status
HeaderReader::readTensors(const fb::Vector<fb::Offset<pkg::TensorSpec>> *list,
                          const char *kind, std::vector<TensorSpec> &out) {
  std::set<std::string> names;
  if (!list)
    return SLM_OK;
  for (const pkg::TensorSpec *t : *list) {
    TensorSpec spec;
    spec.name = t->name()->str();
    spec.dtype = t->dtype();
    std::string where = std::string(kind) + " '" + spec.name + "'";
    if (!names.insert(spec.name).second)
      return corrupt("two " + std::string(kind) + "s are named '" + spec.name +
                     "'");
    if (format::dtypeBits(spec.dtype) < 8)
      return corrupt(where + " has unsupported dtype " +
                     std::to_string(spec.dtype));
    if (t->dims()->size() > kMaxRank)
      return corrupt(where + " has rank " + std::to_string(t->dims()->size()));
    for (const fb::String *d : *t->dims()) {
      spec.dimText.push_back(d->str());
      DimExpr e;
      std::string dimWhere =
          "dim " + std::to_string(spec.dims.size()) + " of " + where;
      if (slm_status s = parseDim(spec.dimText.back(), dimWhere, e))
        return s;
      spec.dims.push_back(std::move(e));
    }
    out.push_back(std::move(spec));
  }
  // Pointers only after the vector stops growing.
  for (TensorSpec &spec : out)
    for (const std::string &d : spec.dimText)
      spec.dimPtrs.push_back(d.c_str());
  return SLM_OK;
}

slm_status HeaderReader::read() {
  const std::string &path = pkg.path;
  // [u32 N][root offset][identifier] at least.
  if (fileSize < 12)
    return fail(SLM_ERROR_INVALID_PACKAGE,
                path + ": not an slm package (only " +
                    std::to_string(fileSize) + " bytes)");
  if (std::memcmp(base + 8, format::kFileIdentifier, 4) != 0)
    return fail(SLM_ERROR_INVALID_PACKAGE,
                path + ": not an slm package (no 'SLMP' identifier)");
  uint64_t fbSize = format::read32(base);
  uint64_t headerEnd = 4 + fbSize;
  if (fbSize < 8 || fbSize >= FLATBUFFERS_MAX_BUFFER_SIZE)
    return corrupt("header size " + std::to_string(fbSize));
  if (headerEnd + format::kHeaderChecksumSize > fileSize)
    return fail(SLM_ERROR_INVALID_PACKAGE,
                path + ": truncated package: the header needs " +
                    std::to_string(headerEnd + format::kHeaderChecksumSize) +
                    " bytes, the file has " + std::to_string(fileSize));

  // The schema version first, verifying only what reading it touches.
  const pkg::Package *root = pkg::GetSizePrefixedPackage(base);
  {
    fb::Verifier v(base + 4, fbSize);
    const fb::Table *table = fb::GetSizePrefixedRoot<fb::Table>(base);
    if (!v.Verify<fb::uoffset_t>(0) || !table->VerifyTableStart(v) ||
        !table->VerifyField<uint32_t>(v, pkg::Package::VT_SCHEMA_VERSION, 4))
      return corrupt("unreadable header");
    uint32_t version = root->schema_version();
    if (version != format::kSchemaVersion)
      return fail(SLM_ERROR_VERSION,
                  path + ": package schema version " + std::to_string(version) +
                      ", this runtime reads " +
                      std::to_string(format::kSchemaVersion));
  }

  if (format::XXH64::hash(base, headerEnd) != format::read64(base + headerEnd))
    return corrupt("header checksum mismatch");
  {
    fb::Verifier v(base, headerEnd);
    if (!pkg::VerifySizePrefixedPackageBuffer(v))
      return corrupt("header fails flatbuffers verification");
  }

  slm_package_info &info = pkg.info;
  info.schema_version = root->schema_version();
  info.file_size = fileSize;
  pkg.producer = str(root->producer());
  pkg.target = root->target()->str();
  pkg.targetTriple = str(root->target_triple());
  pkg.targetCpu = str(root->target_cpu());
  pkg.targetFeatures = str(root->target_features());
  pkg.entryName = root->kernel_entry() && root->kernel_entry()->size()
                      ? root->kernel_entry()->str()
                      : std::string(format::kDefaultEntry);
  if (auto *features = root->required_cpu_features())
    for (const fb::String *f : *features)
      pkg.requiredFeatures.push_back(f->str());
  if (auto *symbols = root->symbols())
    for (const fb::String *s : *symbols) {
      pkg.symbols.push_back(s->str());
      if (!slm::isSymbolName(pkg.symbols.back()))
        return corrupt("symbol '" + pkg.symbols.back() +
                       "' is not an identifier");
      if (!symbolSet.insert(pkg.symbols.back()).second)
        return corrupt("symbol '" + pkg.symbols.back() + "' is listed twice");
    }

  // Sections: inside the file, past the header, 64-aligned, disjoint.
  uint64_t headerRegion = headerEnd + format::kHeaderChecksumSize;
  const pkg::Section *blob = root->weight_blob();
  const pkg::Section *kernel = root->kernel_library();
  if (!blob || !kernel)
    return corrupt("no weight blob or kernel library section");
  auto checkSection = [&](const pkg::Section *s, const char *what) {
    if (s->offset() % format::kAlignment != 0 || s->offset() < headerRegion ||
        !inBounds(s->offset(), s->size(), fileSize))
      return fail(
          SLM_ERROR_INVALID_PACKAGE,
          path + ": " +
              (inBounds(s->offset(), s->size(), fileSize)
                   ? std::string("corrupt package: ")
                   : std::string("truncated package: ")) +
              what + " at offset " + std::to_string(s->offset()) + " size " +
              std::to_string(s->size()) +
              (inBounds(s->offset(), s->size(), fileSize)
                   ? std::string(" is misplaced")
                   : ", the file has " + std::to_string(fileSize) + " bytes"));
    return SLM_OK;
  };
  if (slm_status s = checkSection(blob, "the weight blob"))
    return s;
  if (slm_status s = checkSection(kernel, "the kernel library"))
    return s;
  if (blob->size() && kernel->size() &&
      blob->offset() < kernel->offset() + kernel->size() &&
      kernel->offset() < blob->offset() + blob->size())
    return corrupt("the weight blob and the kernel library overlap");
  // The padding after the header is zero, so that no bit of the header
  // region can change without an error.
  uint64_t firstSection = std::min(blob->offset(), kernel->offset());
  for (uint64_t i = headerRegion; i < firstSection; ++i)
    if (base[i] != 0)
      return corrupt("non-zero padding after the header");
  info.weight_bytes = blob->size();
  info.kernel_bytes = kernel->size();

  if (slm_status s = readTensors(root->inputs(), "input", pkg.inputs))
    return s;
  if (slm_status s = readTensors(root->outputs(), "output", pkg.outputs))
    return s;
  // Symbols are bound from input shapes; one no input mentions cannot be.
  for (const std::string &sym : pkg.symbols) {
    bool used = false;
    for (const TensorSpec &in : pkg.inputs)
      for (const DimExpr &d : in.dims)
        for (const std::string &s : d.symbols())
          used |= s == sym;
    if (!used)
      return corrupt("symbol '" + sym + "' appears in no input shape");
  }

  if (auto *weights = root->weights()) {
    std::set<std::string> names;
    for (const pkg::Weight *w : *weights) {
      WeightSpec spec;
      spec.name = w->name()->str();
      spec.dtype = w->dtype();
      std::string where = "weight '" + spec.name + "'";
      if (!names.insert(spec.name).second)
        return corrupt("two weights are named '" + spec.name + "'");
      if (w->shape()->size() > kMaxRank)
        return corrupt(where + " has rank " +
                       std::to_string(w->shape()->size()));
      uint64_t numElements = 1;
      for (int64_t d : *w->shape()) {
        if (d < 0 ||
            __builtin_mul_overflow(numElements, uint64_t(d), &numElements))
          return corrupt(where + " has a bad shape");
        spec.dims.push_back(d);
      }
      uint64_t bytes;
      if (!format::dtypeBytes(spec.dtype, numElements, bytes))
        return corrupt(where + " has unsupported dtype " +
                       std::to_string(spec.dtype));
      if (bytes != w->size())
        return corrupt(where + " has " + std::to_string(w->size()) +
                       " bytes, its shape and dtype need " +
                       std::to_string(bytes));
      if (w->offset() % format::kAlignment != 0 ||
          !inBounds(w->offset(), w->size(), blob->size()))
        return corrupt(where + " at offset " + std::to_string(w->offset()) +
                       " is misaligned or outside the weight blob");
      spec.data = base + blob->offset() + w->offset();
      spec.size = w->size();
      pkg.weights.push_back(std::move(spec));
    }
  }

  info.context_limit = root->context_limit();
  pkg.contextLengthText = str(root->context_length());
  if (!pkg.contextLengthText.empty()) {
    DimExpr e;
    if (slm_status s = parseDim(pkg.contextLengthText, "the context length", e))
      return s;
    pkg.contextLength = std::move(e);
  }
  if (auto *kv = root->kv_cache())
    for (const pkg::KvCacheBinding *b : *kv) {
      if (b->input() >= pkg.inputs.size() || b->output() >= pkg.outputs.size())
        return corrupt("KV-cache binding " + std::to_string(b->input()) +
                       " -> " + std::to_string(b->output()) +
                       " is out of range");
      pkg.kvCache.emplace_back(b->input(), b->output());
    }
  return SLM_OK;
}

/// The architecture part of an LLVM triple ("x86_64" of
/// "x86_64-unknown-linux-gnu").
std::string tripleArch(const std::string &triple) {
  return triple.substr(0, triple.find('-'));
}

slm_status checkHost(const slm_package &pkg) {
  std::string built = "package built for " + pkg.target;
  if (!pkg.targetTriple.empty()) {
    std::string arch = tripleArch(pkg.targetTriple);
    if (arch == "amd64")
      arch = "x86_64";
    if (arch != hostArch())
      return fail(SLM_ERROR_UNSUPPORTED_CPU,
                  pkg.path + ": " + built + " (" + pkg.targetTriple +
                      ") cannot run on this " + hostArch() + " host");
  }
  std::vector<std::string> missing, unknown;
  bool amx = false;
  for (const std::string &f : pkg.requiredFeatures) {
    switch (hostSupports(f)) {
    case FeatureSupport::Yes:
      amx |= f.rfind("amx-", 0) == 0;
      break;
    case FeatureSupport::No:
      missing.push_back(f);
      break;
    case FeatureSupport::Unknown:
      unknown.push_back(f);
      break;
    }
  }
  auto join = [](const std::vector<std::string> &v) {
    std::string out;
    for (const std::string &s : v)
      out += (out.empty() ? "" : ", ") + s;
    return out;
  };
  if (!unknown.empty())
    return fail(SLM_ERROR_UNSUPPORTED_CPU,
                pkg.path + ": " + built + " requires unknown CPU feature" +
                    (unknown.size() > 1 ? "s '" : " '") + join(unknown) +
                    "' (this runtime cannot check " +
                    (unknown.size() > 1 ? "them)" : "it)"));
  if (!missing.empty())
    return fail(SLM_ERROR_UNSUPPORTED_CPU, pkg.path + ": " + built + " needs " +
                                               join(missing) +
                                               ", which this CPU lacks");
  if (amx) {
    std::string error = enableAmx();
    if (!error.empty())
      return fail(SLM_ERROR_UNSUPPORTED_CPU,
                  pkg.path + ": " + built + " uses AMX, but " + error);
  }
  return SLM_OK;
}

slm_status loadKernel(slm_package &pkg, const uint8_t *base) {
  const pkg::Package *root = pkg::GetSizePrefixedPackage(base);
  const pkg::Section *section = root->kernel_library();
  const uint8_t *bytes = base + section->offset();
  uint64_t size = section->size();
  if (size == 0)
    return fail(SLM_ERROR_KERNEL_LOAD,
                pkg.path + ": the package has no kernel library");
  if (format::XXH64::hash(bytes, size) != section->checksum())
    return fail(SLM_ERROR_INVALID_PACKAGE,
                pkg.path +
                    ": corrupt package: kernel library checksum mismatch");
  // A clear message for a library of another machine; dlopen's is cryptic.
  if (size < sizeof(Elf64_Ehdr) || std::memcmp(bytes, ELFMAG, SELFMAG) != 0 ||
      bytes[EI_CLASS] != ELFCLASS64)
    return fail(SLM_ERROR_KERNEL_LOAD,
                pkg.path + ": the kernel library is not a 64-bit ELF object");
  Elf64_Ehdr ehdr;
  std::memcpy(&ehdr, bytes, sizeof(ehdr));
  if (ehdr.e_type != ET_DYN)
    return fail(SLM_ERROR_KERNEL_LOAD,
                pkg.path + ": the kernel library is not a shared object");
  if (std::string(elfMachineName(ehdr.e_machine)) != hostArch())
    return fail(SLM_ERROR_KERNEL_LOAD, pkg.path +
                                           ": the kernel library is for " +
                                           elfMachineName(ehdr.e_machine) +
                                           ", this host is " + hostArch());

  int fd = memfd_create("slm-kernel", MFD_CLOEXEC);
  if (fd < 0)
    return fail(SLM_ERROR_KERNEL_LOAD,
                pkg.path + ": memfd_create failed: " + std::strerror(errno));
  for (uint64_t done = 0; done < size;) {
    ssize_t n = ::write(fd, bytes + done, size - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      return fail(SLM_ERROR_KERNEL_LOAD, pkg.path +
                                             ": cannot write the kernel "
                                             "library to memory: " +
                                             std::strerror(err));
    }
    done += uint64_t(n);
  }
  std::string procPath = "/proc/self/fd/" + std::to_string(fd);
  pkg.library = dlopen(procPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  // The mapping keeps the memfd's pages alive once loaded.
  ::close(fd);
  if (!pkg.library) {
    const char *err = dlerror();
    return fail(SLM_ERROR_KERNEL_LOAD,
                pkg.path + ": cannot load the kernel library: " +
                    (err ? err : "unknown dlopen error"));
  }
  dlerror();
  void *sym = dlsym(pkg.library, pkg.entryName.c_str());
  if (!sym)
    return fail(SLM_ERROR_KERNEL_LOAD, pkg.path +
                                           ": the kernel library does not "
                                           "export '" +
                                           pkg.entryName + "'");
  pkg.entry = reinterpret_cast<void (*)(void **)>(sym);
  // Built with `slmc compile --profile`: the kernels' names, one per line.
  if (auto *names = static_cast<const char *>(dlsym(pkg.library, "slm_kernel_names"))) {
    std::string line;
    for (const char *c = names; *c; ++c) {
      if (*c == '\n') {
        pkg.kernelNames.push_back(line);
        line.clear();
      } else {
        line.push_back(*c);
      }
    }
  }
  return SLM_OK;
}

slm_status openPackage(const char *path, uint32_t flags, slm_package &pkg) {
  pkg.path = path;
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fail(SLM_ERROR_IO, std::string("cannot open package '") + path +
                                  "': " + std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(SLM_ERROR_IO, std::string("cannot open package '") + path +
                                  "': not a regular file");
  }
  uint64_t size = uint64_t(st.st_size);
  if (size == 0) {
    ::close(fd);
    return fail(SLM_ERROR_INVALID_PACKAGE,
                pkg.path + ": not an slm package (the file is empty)");
  }
  void *map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  int err = errno;
  ::close(fd);
  if (map == MAP_FAILED)
    return fail(SLM_ERROR_IO, std::string("cannot map package '") + path +
                                  "': " + std::strerror(err));
  pkg.map = map;
  pkg.mapSize = size;
  const uint8_t *base = static_cast<const uint8_t *>(map);

  if (slm_status s = HeaderReader(pkg, base, size).read())
    return s;

  if (flags & SLM_OPEN_VERIFY_WEIGHTS) {
    const pkg::Section *blob = pkg::GetSizePrefixedPackage(base)->weight_blob();
    if (format::XXH64::hash(base + blob->offset(), blob->size()) !=
        blob->checksum())
      return fail(SLM_ERROR_INVALID_PACKAGE,
                  pkg.path +
                      ": corrupt package: weight blob checksum mismatch");
  }
  if (flags & SLM_OPEN_NO_KERNEL)
    return SLM_OK;
  if (!(flags & SLM_OPEN_SKIP_CPU_CHECK))
    if (slm_status s = checkHost(pkg))
      return s;
  return loadKernel(pkg, base);
}

} // namespace

slm_status slm::rt::fail(slm_status status, std::string message) {
  lastError = std::move(message);
  return status;
}

slm_package::~slm_package() {
  if (library)
    dlclose(library);
  if (map)
    munmap(map, mapSize);
}

//===----------------------------------------------------------------------===//
// C API
//===----------------------------------------------------------------------===//

extern "C" {

const char *slm_last_error(void) { return lastError.c_str(); }

const char *slm_status_string(slm_status status) {
  switch (status) {
  case SLM_OK:
    return "ok";
  case SLM_ERROR_IO:
    return "I/O error";
  case SLM_ERROR_INVALID_PACKAGE:
    return "invalid package";
  case SLM_ERROR_VERSION:
    return "unsupported package version";
  case SLM_ERROR_UNSUPPORTED_CPU:
    return "unsupported CPU";
  case SLM_ERROR_KERNEL_LOAD:
    return "kernel load failed";
  case SLM_ERROR_INVALID_ARGUMENT:
    return "invalid argument";
  case SLM_ERROR_OUT_OF_MEMORY:
    return "out of memory";
  }
  return "unknown status";
}

uint32_t slm_runtime_schema_version(void) { return format::kSchemaVersion; }

const char *slm_dtype_name(int32_t dtype) { return format::dtypeName(dtype); }

size_t slm_dtype_size(int32_t dtype) {
  unsigned bits = format::dtypeBits(dtype);
  return bits % 8 ? 0 : bits / 8;
}

int slm_cpu_has_feature(const char *name) {
  if (!name)
    return -1;
  switch (hostSupports(name)) {
  case FeatureSupport::Yes:
    return 1;
  case FeatureSupport::No:
    return 0;
  case FeatureSupport::Unknown:
    return -1;
  }
  return -1;
}

slm_status slm_package_open(const char *path, uint32_t flags,
                            slm_package **out) {
  if (!path || !out)
    return fail(SLM_ERROR_INVALID_ARGUMENT,
                "slm_package_open: null path or result pointer");
  *out = nullptr;
  std::unique_ptr<slm_package> pkg;
  try {
    pkg = std::make_unique<slm_package>();
    if (slm_status s = openPackage(path, flags, *pkg))
      return s;
  } catch (const std::bad_alloc &) {
    return fail(SLM_ERROR_OUT_OF_MEMORY,
                std::string(path) + ": out of memory reading the package");
  }
  slm_package_info &info = pkg->info;
  info.producer = pkg->producer.c_str();
  info.target = pkg->target.c_str();
  info.target_triple = pkg->targetTriple.c_str();
  info.target_cpu = pkg->targetCpu.c_str();
  info.target_features = pkg->targetFeatures.c_str();
  for (const std::string &f : pkg->requiredFeatures)
    pkg->requiredFeaturePtrs.push_back(f.c_str());
  for (const std::string &s : pkg->symbols)
    pkg->symbolPtrs.push_back(s.c_str());
  info.num_required_cpu_features = pkg->requiredFeatures.size();
  info.required_cpu_features = pkg->requiredFeaturePtrs.data();
  info.num_symbols = pkg->symbols.size();
  info.symbols = pkg->symbolPtrs.data();
  info.num_inputs = pkg->inputs.size();
  info.num_outputs = pkg->outputs.size();
  info.num_weights = pkg->weights.size();
  info.num_kv_cache_bindings = pkg->kvCache.size();
  info.context_length = pkg->contextLengthText.c_str();
  *out = pkg.release();
  return SLM_OK;
}

void slm_package_close(slm_package *package) { delete package; }

const slm_package_info *slm_package_get_info(const slm_package *package) {
  return package ? &package->info : nullptr;
}

static slm_status tensorInfo(const slm_package *package, size_t index,
                             slm_tensor_info *out, bool input) {
  const char *fn = input ? "slm_package_input" : "slm_package_output";
  if (!package || !out)
    return fail(SLM_ERROR_INVALID_ARGUMENT,
                std::string(fn) + ": null argument");
  const auto &list = input ? package->inputs : package->outputs;
  if (index >= list.size())
    return fail(SLM_ERROR_INVALID_ARGUMENT,
                std::string(fn) + ": index " + std::to_string(index) +
                    " out of range (" + std::to_string(list.size()) + ")");
  const TensorSpec &t = list[index];
  out->name = t.name.c_str();
  out->dtype = t.dtype;
  out->rank = int32_t(t.dims.size());
  out->dims = t.dimPtrs.data();
  return SLM_OK;
}

slm_status slm_package_input(const slm_package *package, size_t index,
                             slm_tensor_info *out) {
  return tensorInfo(package, index, out, true);
}

slm_status slm_package_output(const slm_package *package, size_t index,
                              slm_tensor_info *out) {
  return tensorInfo(package, index, out, false);
}

static int64_t findTensor(const std::vector<TensorSpec> &list,
                          const char *name) {
  if (!name)
    return -1;
  for (size_t i = 0; i < list.size(); ++i)
    if (list[i].name == name)
      return int64_t(i);
  return -1;
}

int64_t slm_package_find_input(const slm_package *package, const char *name) {
  return package ? findTensor(package->inputs, name) : -1;
}

int64_t slm_package_find_output(const slm_package *package, const char *name) {
  return package ? findTensor(package->outputs, name) : -1;
}

slm_status slm_package_weight(const slm_package *package, size_t index,
                              slm_weight_info *out) {
  if (!package || !out)
    return fail(SLM_ERROR_INVALID_ARGUMENT,
                "slm_package_weight: null argument");
  if (index >= package->weights.size())
    return fail(SLM_ERROR_INVALID_ARGUMENT,
                "slm_package_weight: index " + std::to_string(index) +
                    " out of range (" +
                    std::to_string(package->weights.size()) + ")");
  const WeightSpec &w = package->weights[index];
  out->name = w.name.c_str();
  out->dtype = w.dtype;
  out->rank = int32_t(w.dims.size());
  out->dims = w.dims.data();
  out->data = w.data;
  out->size = w.size;
  return SLM_OK;
}

slm_status slm_package_kv_cache_binding(const slm_package *package,
                                        size_t index, uint32_t *input,
                                        uint32_t *output) {
  if (!package || !input || !output)
    return fail(SLM_ERROR_INVALID_ARGUMENT,
                "slm_package_kv_cache_binding: null argument");
  if (index >= package->kvCache.size())
    return fail(SLM_ERROR_INVALID_ARGUMENT,
                "slm_package_kv_cache_binding: index " + std::to_string(index) +
                    " out of range (" +
                    std::to_string(package->kvCache.size()) + ")");
  *input = package->kvCache[index].first;
  *output = package->kvCache[index].second;
  return SLM_OK;
}

} // extern "C"

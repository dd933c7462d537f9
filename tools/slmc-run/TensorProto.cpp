//===- TensorProto.cpp - ONNX TensorProto wire format ---------------------===//

#include "TensorProto.h"

#include <cstring>

namespace slmc_run {
namespace {

enum WireType { Varint = 0, Fixed64 = 1, Bytes = 2, Fixed32 = 5 };

struct Reader {
  const uint8_t *p, *end;
  bool ok = true;

  bool more() const { return ok && p < end; }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p >= end)
        break;
      uint8_t b = *p++;
      v |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80))
        return v;
    }
    ok = false;
    return 0;
  }
  template <typename T> T fixed() {
    T v{};
    if (size_t(end - p) < sizeof(T)) {
      ok = false;
      return v;
    }
    std::memcpy(&v, p, sizeof(T)); // little-endian, as the wire format
    p += sizeof(T);
    return v;
  }
  /// A length-delimited field's bytes.
  Reader sub() {
    uint64_t n = varint();
    if (!ok || n > uint64_t(end - p)) {
      ok = false;
      return {end, end};
    }
    Reader r{p, p + n};
    p += n;
    return r;
  }
  void skip(int wire) {
    switch (wire) {
    case Varint: varint(); break;
    case Fixed64: fixed<uint64_t>(); break;
    case Bytes: sub(); break;
    case Fixed32: fixed<uint32_t>(); break;
    default: ok = false;
    }
  }
};

/// A repeated scalar field, packed (one length-delimited run) or not.
template <typename T, typename Read>
void repeated(Reader &r, int wire, int scalarWire, std::vector<T> &out, Read read) {
  if (wire == Bytes) {
    Reader packed = r.sub();
    while (packed.more())
      out.push_back(read(packed));
    r.ok = r.ok && packed.ok;
  } else if (wire == scalarWire) {
    out.push_back(read(r));
  } else {
    r.ok = false;
  }
}

void putVarint(std::string &s, uint64_t v) {
  while (v >= 0x80) {
    s.push_back(char(v | 0x80));
    v >>= 7;
  }
  s.push_back(char(v));
}

void putBytes(std::string &s, int field, const void *data, size_t n) {
  putVarint(s, uint64_t(field) << 3 | Bytes);
  putVarint(s, n);
  s.append(static_cast<const char *>(data), n);
}

} // namespace

bool parseTensorProto(const std::string &bytes, TensorProto &t) {
  Reader r{reinterpret_cast<const uint8_t *>(bytes.data()),
           reinterpret_cast<const uint8_t *>(bytes.data()) + bytes.size()};
  auto i64 = [](Reader &x) { return int64_t(x.varint()); };
  while (r.more()) {
    uint64_t key = r.varint();
    int field = int(key >> 3), wire = int(key & 7);
    switch (field) {
    case 1: repeated(r, wire, Varint, t.dims, i64); break;
    case 2:
      if (wire != Varint)
        return false;
      t.dataType = int32_t(r.varint());
      break;
    case 4: repeated(r, wire, Fixed32, t.floatData, [](Reader &x) { return x.fixed<float>(); }); break;
    case 5: repeated(r, wire, Varint, t.int32Data, [](Reader &x) { return int32_t(x.varint()); }); break;
    case 7: repeated(r, wire, Varint, t.int64Data, i64); break;
    case 8:
    case 9: {
      if (wire != Bytes)
        return false;
      Reader s = r.sub();
      (field == 8 ? t.name : t.rawData).assign(reinterpret_cast<const char *>(s.p), s.end - s.p);
      t.hasRawData |= field == 9;
      break;
    }
    case 10: repeated(r, wire, Fixed64, t.doubleData, [](Reader &x) { return x.fixed<double>(); }); break;
    case 11: repeated(r, wire, Varint, t.uint64Data, [](Reader &x) { return x.varint(); }); break;
    case 14:
      if (wire != Varint)
        return false;
      t.external = r.varint() == 1; // DataLocation.EXTERNAL
      break;
    default: r.skip(wire);
    }
  }
  return r.ok;
}

std::string serializeTensorProto(const std::string &name, int32_t dataType,
                                 const std::vector<int64_t> &dims, const void *raw,
                                 size_t rawBytes) {
  std::string s;
  for (int64_t d : dims) {
    putVarint(s, 1 << 3 | Varint);
    putVarint(s, uint64_t(d));
  }
  putVarint(s, 2 << 3 | Varint);
  putVarint(s, uint64_t(uint32_t(dataType)));
  putBytes(s, 8, name.data(), name.size());
  putBytes(s, 9, raw, rawBytes);
  return s;
}

} // namespace slmc_run

#include "io/shard.h"

#include <cstring>
#include <fstream>

#include "core/error.h"
#include "io/atomic_file.h"

namespace tessera {

namespace {

template <class T>
void put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));  // the engine runs on little-endian hosts only
  out.append(bytes, sizeof(T));
}

template <class T>
T get(const char* at) {
  T value;
  std::memcpy(&value, at, sizeof(T));
  return value;
}

uint64_t element_bytes(ShardDType dtype) { return dtype == ShardDType::u16 ? 2 : 4; }

// Checks the 32-byte header against the file's length and returns it.
ShardHeader parse_header(const char* h, uint64_t file_bytes, const std::string& path) {
  TESSERA_CHECK(file_bytes >= kShardHeaderBytes, path, ": not a shard file: expected a ", kShardHeaderBytes,
                "-byte header, found a file of ", file_bytes, " bytes");
  TESSERA_CHECK(std::memcmp(h, kShardMagic, 8) == 0, path, ": field 'magic': expected \"TSRSHARD\", found \"",
                std::string(h, 8), "\" (not a Tessera shard file)");
  const uint32_t version = get<uint32_t>(h + 8);
  TESSERA_CHECK(version == kShardVersion, path, ": field 'version': expected ", kShardVersion, ", found ", version);
  const uint32_t dtype = get<uint32_t>(h + 12);
  TESSERA_CHECK(dtype == 1 || dtype == 2, path, ": field 'dtype': expected 1 (u16) or 2 (i32), found ", dtype);
  ShardHeader header{static_cast<ShardDType>(dtype), get<uint64_t>(h + 16)};
  const uint64_t payload = file_bytes - kShardHeaderBytes;
  TESSERA_CHECK(header.count <= payload / element_bytes(header.dtype) &&
                    header.count * element_bytes(header.dtype) == payload,
                path, ": field 'count': the header says ", header.count, " ids (", header.count,
                " x ", element_bytes(header.dtype), " bytes), but the file holds ", payload,
                " bytes after the header (truncated or corrupt)");
  return header;
}

}  // namespace

void write_shard(const std::string& path, std::span<const int32_t> ids) {
  bool fits_u16 = true;
  for (int32_t id : ids) {
    TESSERA_CHECK(id >= 0, path, ": cannot write token id ", id, " to a shard: ids are non-negative");
    fits_u16 = fits_u16 && id <= 0xffff;
  }
  const ShardDType dtype = fits_u16 ? ShardDType::u16 : ShardDType::i32;
  std::string bytes(kShardMagic, 8);
  put<uint32_t>(bytes, kShardVersion);
  put<uint32_t>(bytes, static_cast<uint32_t>(dtype));
  put<uint64_t>(bytes, ids.size());
  put<uint64_t>(bytes, 0);
  bytes.reserve(bytes.size() + ids.size() * element_bytes(dtype));
  for (int32_t id : ids) {
    if (fits_u16) {
      put<uint16_t>(bytes, static_cast<uint16_t>(id));
    } else {
      put<int32_t>(bytes, id);
    }
  }
  write_file_atomically(path, bytes);
}

ShardHeader read_shard_header(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  TESSERA_CHECK(in.good(), path, ": cannot open shard file");
  const uint64_t file_bytes = static_cast<uint64_t>(in.tellg());
  char h[kShardHeaderBytes] = {};
  in.seekg(0);
  in.read(h, static_cast<std::streamsize>(std::min<uint64_t>(file_bytes, kShardHeaderBytes)));
  return parse_header(h, file_bytes, path);
}

std::vector<int32_t> read_shard(const std::string& path) {
  const std::string bytes = read_file(path);
  const ShardHeader header = parse_header(bytes.data(), bytes.size(), path);
  std::vector<int32_t> ids(header.count);
  const char* at = bytes.data() + kShardHeaderBytes;
  for (uint64_t i = 0; i < header.count; ++i) {
    ids[i] = header.dtype == ShardDType::u16 ? get<uint16_t>(at + 2 * i) : get<int32_t>(at + 4 * i);
    TESSERA_CHECK(ids[i] >= 0, path, ": id ", i, " is ", ids[i], ": expected a non-negative token id");
  }
  return ids;
}

}  // namespace tessera

#pragma once
// Shard files: a corpus turned into token ids once (`tessera data`), read by the trainer.
//
//   offset  size  field
//   0       8     magic    "TSRSHARD"
//   8       4     version  u32 little-endian, 1
//   12      4     dtype    u32: 1 = u16 ids, 2 = i32 ids
//   16      8     count    u64, the number of ids
//   24      8     reserved zero
//   32      ...   count ids of dtype, little-endian
//
// The writer stores u16 when every id fits (half the bytes for vocabularies under 65536).
// The reader checks every field and that the file is exactly as long as the header says.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tessera {

inline constexpr char kShardMagic[8] = {'T', 'S', 'R', 'S', 'H', 'A', 'R', 'D'};
inline constexpr uint32_t kShardVersion = 1;
inline constexpr uint64_t kShardHeaderBytes = 32;

enum class ShardDType : uint32_t { u16 = 1, i32 = 2 };

struct ShardHeader {
  ShardDType dtype = ShardDType::u16;
  uint64_t count = 0;
};

// Writes atomically (temporary file + rename). Ids must be non-negative.
void write_shard(const std::string& path, std::span<const int32_t> ids);
// Reads and checks a whole shard; errors name the file, the field, what was expected and
// what was found.
std::vector<int32_t> read_shard(const std::string& path);
ShardHeader read_shard_header(const std::string& path);

}  // namespace tessera

// Shard files: ids round-trip in both storage widths, and every malformed header is refused
// with a message naming the file and the field.
#include "io/shard.h"

#include <gtest/gtest.h>

#include <cstring>

#include "io/atomic_file.h"
#include "support/expect_error.h"
#include "support/temp_dir.h"

namespace tessera {
namespace {

// A shard's bytes with each header field given explicitly, to forge bad ones.
std::string shard_bytes(const char* magic, uint32_t version, uint32_t dtype, uint64_t count, size_t payload) {
  std::string bytes(magic, 8);
  bytes.append(reinterpret_cast<const char*>(&version), 4);
  bytes.append(reinterpret_cast<const char*>(&dtype), 4);
  bytes.append(reinterpret_cast<const char*>(&count), 8);
  bytes.append(8, '\0');
  bytes.append(payload, '\0');
  return bytes;
}

TEST(Shard, SmallIdsRoundTripAsU16) {
  TempDir dir;
  const std::vector<int32_t> ids = {0, 1, 300, 65535, 7};
  write_shard(dir.path("a.shard"), ids);
  EXPECT_EQ(read_shard(dir.path("a.shard")), ids);
  const ShardHeader header = read_shard_header(dir.path("a.shard"));
  EXPECT_EQ(header.dtype, ShardDType::u16);
  EXPECT_EQ(header.count, ids.size());
  EXPECT_EQ(read_file(dir.path("a.shard")).size(), kShardHeaderBytes + 2 * ids.size());
}

TEST(Shard, LargeIdsRoundTripAsI32) {
  TempDir dir;
  const std::vector<int32_t> ids = {0, 65536, 2000000000, 5};
  write_shard(dir.path("b.shard"), ids);
  EXPECT_EQ(read_shard(dir.path("b.shard")), ids);
  EXPECT_EQ(read_shard_header(dir.path("b.shard")).dtype, ShardDType::i32);
  EXPECT_EQ(read_file(dir.path("b.shard")).size(), kShardHeaderBytes + 4 * ids.size());
}

TEST(Shard, EmptyShardRoundTrips) {
  TempDir dir;
  write_shard(dir.path("e.shard"), std::vector<int32_t>{});
  EXPECT_TRUE(read_shard(dir.path("e.shard")).empty());
}

TEST(Shard, NegativeIdsAreRefusedOnWrite) {
  TempDir dir;
  expect_error([&] { write_shard(dir.path("n.shard"), std::vector<int32_t>{1, -3}); },
               {"n.shard", "token id -3", "non-negative"});
}

TEST(Shard, EveryBadHeaderNamesTheFileAndField) {
  TempDir dir;
  const std::string path = dir.path("bad.shard");
  const auto refused = [&](const std::string& bytes, std::initializer_list<std::string> parts) {
    write_file_atomically(path, bytes);
    expect_error([&] { read_shard(path); }, parts);
    expect_error([&] { read_shard_header(path); }, parts);
  };
  refused("TSRSHA", {"bad.shard", "not a shard file", "32-byte header", "6 bytes"});
  refused(shard_bytes("NOTSHARD", 1, 1, 0, 0), {"bad.shard", "field 'magic'", "\"NOTSHARD\""});
  refused(shard_bytes("TSRSHARD", 2, 1, 0, 0), {"bad.shard", "field 'version'", "expected 1, found 2"});
  refused(shard_bytes("TSRSHARD", 1, 3, 0, 0), {"bad.shard", "field 'dtype'", "found 3"});
  refused(shard_bytes("TSRSHARD", 1, 1, 10, 8), {"bad.shard", "field 'count'", "10 ids", "holds 8 bytes"});
  refused(shard_bytes("TSRSHARD", 1, 2, 1, 6), {"bad.shard", "field 'count'", "1 ids (1 x 4 bytes)", "holds 6 bytes"});
  // A count so large that count x size overflows must not pass for a small file.
  refused(shard_bytes("TSRSHARD", 1, 2, 1ull << 62, 0), {"bad.shard", "field 'count'"});
  expect_error([&] { read_shard(dir.path("missing.shard")); }, {"missing.shard"});
}

TEST(Shard, NegativeI32IdsInAFileAreRefused) {
  TempDir dir;
  std::string bytes = shard_bytes("TSRSHARD", 1, 2, 2, 0);
  const int32_t ids[2] = {4, -1};
  bytes.append(reinterpret_cast<const char*>(ids), sizeof ids);
  write_file_atomically(dir.path("neg.shard"), bytes);
  expect_error([&] { read_shard(dir.path("neg.shard")); }, {"neg.shard", "id 1 is -1", "non-negative"});
}

}  // namespace
}  // namespace tessera

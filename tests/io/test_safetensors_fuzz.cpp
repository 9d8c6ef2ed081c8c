// Robustness: corrupted files must be read or refused with an Error, never crash, hang
// or escape as another exception. Deterministic, so a failure reproduces; the sanitizer
// build runs it too, which turns any out-of-bounds access into a failure.
#include <gtest/gtest.h>

#include "core/rng.h"
#include "io/atomic_file.h"
#include "io/safetensors.h"
#include "support/temp_dir.h"

namespace tessera {
namespace {

std::string valid_file() {
  TempDir dir;
  Rng rng(3);
  write_safetensors(dir.path("seed.safetensors"),
                    {{"embed.weight", randn({5, 3}, rng)},
                     {"ids", rand_int({4}, rng, 0, 100)},
                     {"half", randn({3}, rng).to(DType::f16)},
                     {"brain", randn({2, 1}, rng).to(DType::bf16)},
                     {"count", Tensor::zeros({1}, DType::i64)},
                     {"mask", Tensor::zeros({3}, DType::u8)},
                     {"none", Tensor::zeros({0, 2})}},
                    {{"format", "pt"}, {"step", "12"}});
  return read_file(dir.path("seed.safetensors"));
}

uint64_t header_length(const std::string& bytes) {
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  return n;
}

// One random corruption: byte flips, a truncation, JSON-significant characters or digits
// planted in the header (which keep it parseable more often and so reach the deeper
// checks), an insertion, a deletion, or a new header length.
std::string mutate(const std::string& original, Rng& rng) {
  std::string bytes = original;
  const uint64_t header_end = 8 + header_length(original);
  auto header_position = [&] { return static_cast<size_t>(8 + rng.below(static_cast<int64_t>(header_end - 8))); };
  switch (rng.below(7)) {
    case 0:
      for (int64_t i = 0, n = 1 + rng.below(8); i < n; ++i) {
        bytes[rng.below(static_cast<int64_t>(bytes.size()))] ^= static_cast<char>(1 + rng.below(255));
      }
      break;
    case 1:
      bytes.resize(static_cast<size_t>(rng.below(static_cast<int64_t>(bytes.size()))));
      break;
    case 2: {
      static const std::string json_chars = "{}[]\",:-.e0123456789 ";
      bytes[header_position()] = json_chars[rng.below(static_cast<int64_t>(json_chars.size()))];
      break;
    }
    case 3: {  // the next digit at or after a random header position becomes another digit
      size_t at = header_position();
      while (at < header_end && (bytes[at] < '0' || bytes[at] > '9')) ++at;
      if (at < header_end) bytes[at] = static_cast<char>('0' + rng.below(10));
      break;
    }
    case 4:
      bytes.insert(static_cast<size_t>(rng.below(static_cast<int64_t>(bytes.size()))), 1 + rng.below(16),
                   static_cast<char>(rng.below(256)));
      break;
    case 5:
      bytes.erase(static_cast<size_t>(rng.below(static_cast<int64_t>(bytes.size()))), 1 + rng.below(16));
      break;
    case 6: {
      const uint64_t n = rng.below(2) ? header_end - 8 + rng.below(33) - 16 : rng.next_u64() >> rng.below(64);
      for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((n >> (8 * i)) & 0xff);
      break;
    }
  }
  return bytes;
}

TEST(SafetensorsFuzz, CorruptFilesAreReadOrRefusedNeverCrash) {
  const std::string original = valid_file();
  Rng rng(20240601);
  int accepted = 0, refused = 0;
  for (int iteration = 0; iteration < 20000; ++iteration) {
    const std::string bytes = mutate(original, rng);
    try {
      const Safetensors read = parse_safetensors(bytes, "fuzz.safetensors");
      // What is accepted must describe the file exactly: its tensors fill the data section.
      size_t total = 0;
      for (const auto& [name, t] : read.tensors) total += t.nbytes();
      ASSERT_EQ(total, bytes.size() - 8 - header_length(bytes)) << "iteration " << iteration;
      ++accepted;
    } catch (const Error& e) {
      ASSERT_EQ(std::string(e.what()).rfind("fuzz.safetensors: ", 0), 0u) << e.what();
      ++refused;
    } catch (const std::exception& e) {
      FAIL() << "iteration " << iteration << ": an exception other than tessera::Error: " << e.what();
    }
  }
  // Both outcomes must occur, or the mutations are not exercising the reader.
  EXPECT_GT(accepted, 100);
  EXPECT_GT(refused, 10000);
}

}  // namespace
}  // namespace tessera

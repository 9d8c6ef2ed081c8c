#include <gtest/gtest.h>

#include <cstring>

#include "core/rng.h"
#include "io/atomic_file.h"
#include "io/safetensors.h"
#include "support/expect_error.h"
#include "support/temp_dir.h"

namespace tessera {
namespace {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

// Random contents of any dtype, filled byte by byte, so every bit pattern may appear.
Tensor random_tensor(const Shape& shape, DType dtype, Rng& rng) {
  Tensor t = Tensor::empty(shape, dtype);
  auto* bytes = static_cast<uint8_t*>(t.raw());
  for (size_t i = 0; i < t.nbytes(); ++i) bytes[i] = static_cast<uint8_t>(rng.next_u64());
  return t;
}

NamedTensors every_dtype(Rng& rng) {
  return {{"f32", random_tensor({3, 17}, DType::f32, rng)}, {"bf16", random_tensor({2, 3, 5}, DType::bf16, rng)},
          {"f16", random_tensor({65}, DType::f16, rng)},    {"i32", random_tensor({4, 1}, DType::i32, rng)},
          {"i64", random_tensor({3}, DType::i64, rng)},     {"u8", random_tensor({2, 2, 3}, DType::u8, rng)},
          {"scalar", random_tensor({}, DType::f32, rng)},   {"empty", random_tensor({0, 3}, DType::f16, rng)},
          {"empty_u8", random_tensor({0}, DType::u8, rng)}, {"one", random_tensor({1, 1, 1}, DType::i64, rng)}};
}

void expect_same_tensors(const NamedTensors& expected, const Safetensors& read) {
  ASSERT_EQ(read.tensors.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& [name, want] = expected[i];
    EXPECT_EQ(read.tensors[i].first, name) << "tensors come back in file order";
    const Tensor& got = read.get(name);
    EXPECT_EQ(got.dtype(), want.dtype()) << name;
    EXPECT_EQ(got.shape(), want.shape()) << name;
    ASSERT_EQ(got.nbytes(), want.nbytes()) << name;
    EXPECT_EQ(std::memcmp(got.raw(), want.raw(), want.nbytes()), 0) << name << ": bytes differ";
  }
}

TEST(Safetensors, RoundTripsEveryDtypeZeroSizeAndScalarTensors) {
  TempDir dir;
  Rng rng(1);
  const NamedTensors tensors = every_dtype(rng);
  write_safetensors(dir.path("all.safetensors"), tensors);
  const Safetensors read = read_safetensors(dir.path("all.safetensors"));
  expect_same_tensors(tensors, read);
  EXPECT_TRUE(read.metadata.empty());
  EXPECT_EQ(read.source, dir.path("all.safetensors"));
}

TEST(Safetensors, RoundTripsMetadata) {
  TempDir dir;
  const std::map<std::string, std::string> metadata = {
      {"format", "pt"}, {"config", "{\"dim\": 64, \"quote\": \"\\\"\"}"}, {"unicode", "ünïcødé ✓"}, {"empty", ""}};
  write_safetensors(dir.path("m.safetensors"), {{"w", Tensor::full({2}, 1)}}, metadata);
  EXPECT_EQ(read_safetensors(dir.path("m.safetensors")).metadata, metadata);

  write_safetensors(dir.path("only.safetensors"), {}, {{"k", "v"}});
  const Safetensors only = read_safetensors(dir.path("only.safetensors"));
  EXPECT_TRUE(only.tensors.empty());
  EXPECT_EQ(only.metadata.at("k"), "v");
}

TEST(Safetensors, ResavingWhatWasReadIsBitIdentical) {
  TempDir dir;
  Rng rng(2);
  write_safetensors(dir.path("a.safetensors"), every_dtype(rng), {{"step", "17"}, {"name", "tiny"}});
  const Safetensors read = read_safetensors(dir.path("a.safetensors"));
  write_safetensors(dir.path("b.safetensors"), read.tensors, read.metadata);
  const std::string a = read_file(dir.path("a.safetensors")), b = read_file(dir.path("b.safetensors"));
  EXPECT_EQ(a.size(), b.size());
  EXPECT_TRUE(a == b) << "re-saved bytes differ";
}

// The exact bytes of a small file, so the layout cannot drift without a failing test: the
// header is compact JSON with sorted keys, padded with spaces so the data starts 8-aligned.
TEST(Safetensors, WritesTheExpectedBytes) {
  TempDir dir;
  const Tensor a = Tensor::from_vector(std::vector<float>{1.0f, -2.0f}, {2});
  const Tensor b = Tensor::from_vector(std::vector<int32_t>{7}, {1, 1});
  write_safetensors(dir.path("x.safetensors"), {{"b", b}, {"a", a}}, {{"k", "v"}});
  const std::string header = R"({"__metadata__":{"k":"v"},"a":{"data_offsets":[4,12],"dtype":"F32","shape":[2]},)"
                             R"("b":{"data_offsets":[0,4],"dtype":"I32","shape":[1,1]}})";
  const std::string padded = header + std::string((8 - header.size() % 8) % 8, ' ');
  std::string expected(8, '\0');
  for (int i = 0; i < 8; ++i) expected[i] = static_cast<char>((padded.size() >> (8 * i)) & 0xff);
  expected += padded;
  expected += std::string("\x07\x00\x00\x00", 4);                  // b = 7, written first
  expected += std::string("\x00\x00\x80\x3f\x00\x00\x00\xc0", 8);  // a = 1.0, -2.0
  EXPECT_EQ(read_file(dir.path("x.safetensors")), expected);
}

TEST(Safetensors, GetNamesTheFileAndTheMissingTensor) {
  TempDir dir;
  write_safetensors(dir.path("g.safetensors"), {{"present", Tensor::zeros({1})}});
  const Safetensors read = read_safetensors(dir.path("g.safetensors"));
  EXPECT_TRUE(read.contains("present"));
  EXPECT_FALSE(read.contains("absent"));
  expect_error([&] { read.get("absent"); }, {dir.path("g.safetensors"), "no tensor named 'absent'"});
}

TEST(Safetensors, WriterRefusesWhatTheFormatCannotHold) {
  TempDir dir;
  const std::string path = dir.path("w.safetensors");
  expect_error(
      [&] {
        write_safetensors(path, {{"x", Tensor::zeros({1})}, {"x", Tensor::zeros({2})}});
      },
      {path, "tensor name 'x' given twice"});
  expect_error([&] { write_safetensors(path, {{"__metadata__", Tensor::zeros({1})}}); }, {path, "reserved"});
  expect_error([&] { write_safetensors(path, {{"undefined", Tensor()}}); }, {path, "'undefined' is undefined"});
  expect_error([&] { write_safetensors(path, {{"bad\xff", Tensor::zeros({1})}}); }, {path, "valid UTF-8"});
  expect_error([&] { write_safetensors(path, {}, {{"k", "\xc3"}}); }, {path, "valid UTF-8"});
  EXPECT_TRUE(dir.listing().empty()) << "a refused write leaves nothing behind";
}

}  // namespace
}  // namespace tessera

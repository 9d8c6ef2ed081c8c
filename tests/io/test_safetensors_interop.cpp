// Files written by numpy/PyTorch code that follows the format's description are read,
// and files Tessera writes are read there, in both cases value for value.
#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "core/rng.h"
#include "io/safetensors.h"
#include "support/torch_oracle.h"
#include "support/temp_dir.h"

namespace tessera {
namespace {

const char* kScript = "tests/io/safetensors_numpy.py";

// Values compared exactly after widening: floats to f32 (exact for bf16 and f16), integers
// to i64. Shapes are checked elsewhere: the oracle's reply turns 0-d tensors into (1,).
void expect_same_values(const std::string& name, const Tensor& ours, const Tensor& reference) {
  ASSERT_EQ(ours.numel(), reference.numel()) << name;
  if (reference.dtype() == DType::i64) {
    const Tensor wide = ours.to(DType::i64);
    EXPECT_EQ(std::memcmp(wide.raw(), reference.raw(), reference.nbytes()), 0) << name;
  } else {
    EXPECT_EQ(ours.to_vector(), reference.to_vector()) << name;
  }
}

TEST(SafetensorsInterop, ReadsAFileWrittenWithNumpy) {
  TempDir dir;
  const std::string path = dir.path("numpy.safetensors");
  const Safetensors expected =
      testing::torch_call("script", {}, {{"path", kScript}, {"mode", "write"}, {"file", path}});
  const Safetensors read = read_safetensors(path);
  EXPECT_EQ(read.metadata, (std::map<std::string, std::string>{{"format", "pt"}, {"note", "ünïcødé"}}));
  const std::map<std::string, std::pair<DType, Shape>> layout = {{"layers.0.weight", {DType::f32, {3, 17}}},
                                                                 {"bf16", {DType::bf16, {2, 3, 5}}},
                                                                 {"f16", {DType::f16, {65}}},
                                                                 {"ids", {DType::i32, {4, 1}}},
                                                                 {"big", {DType::i64, {3}}},
                                                                 {"mask", {DType::u8, {2, 2, 3}}},
                                                                 {"scalar", {DType::f32, {}}},
                                                                 {"empty", {DType::f16, {0, 3}}}};
  ASSERT_EQ(read.tensors.size(), layout.size());
  for (const auto& [name, dtype_shape] : layout) {
    ASSERT_TRUE(read.contains(name)) << name;
    EXPECT_EQ(read.get(name).dtype(), dtype_shape.first) << name;
    EXPECT_EQ(read.get(name).shape(), dtype_shape.second) << name;
    expect_same_values(name, read.get(name), expected.get(name));
  }
  EXPECT_EQ(read.tensors.front().first, "layers.0.weight") << "file order is data order, not header order";
  EXPECT_EQ(read.get("big").data<int64_t>()[2], 6000000009) << "beyond 32 bits";
}

TEST(SafetensorsInterop, NumpyReadsAFileTesseraWrites) {
  TempDir dir;
  const std::string path = dir.path("tessera.safetensors");
  Rng rng(11);
  Tensor ids = rand_int({4, 1}, rng, -1000000, 1000000);
  Tensor big = Tensor::empty({3}, DType::i64);
  for (int i = 0; i < 3; ++i) big.data<int64_t>()[i] = (int64_t{1} << 40) * (i - 1) - 7;
  const std::vector<std::pair<std::string, Tensor>> tensors = {{"w", randn({3, 17}, rng)},
                                                               {"bf16", randn({2, 3, 5}, rng).to(DType::bf16)},
                                                               {"f16", randn({65}, rng).to(DType::f16)},
                                                               {"ids", ids},
                                                               {"big", big},
                                                               {"mask", rand_int({2, 2, 3}, rng, 0, 256).to(DType::u8)},
                                                               {"scalar", Tensor::scalar(-0.5f)},
                                                               {"empty", Tensor::zeros({0, 3}, DType::bf16)}};
  const std::map<std::string, std::string> metadata = {{"format", "pt"}, {"name", "тест"}};
  write_safetensors(path, tensors, metadata);

  nlohmann::json expect = nlohmann::json::object();
  for (const auto& [name, t] : tensors) expect[name] = {dtype_safetensors_name(t.dtype()), t.shape()};
  const Safetensors seen = testing::torch_call("script", {},
                                               {{"path", kScript},
                                                {"mode", "read"},
                                                {"file", path},
                                                {"expect", expect.dump()},
                                                {"metadata", nlohmann::json(metadata).dump()}});
  for (const auto& [name, t] : tensors) expect_same_values(name, t, seen.get(name));
}

}  // namespace
}  // namespace tessera

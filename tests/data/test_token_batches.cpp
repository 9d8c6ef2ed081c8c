// Training batches over shards: next-token targets, determinism, a stream that resumes
// exactly from its saved state, sequential windows that wrap, and clear errors.
#include <gtest/gtest.h>

#include <numeric>

#include "data/token_batches.h"
#include "io/shard.h"
#include "support/expect_error.h"
#include "support/temp_dir.h"

namespace tessera::data {
namespace {

std::vector<int32_t> values(const Tensor& t) {
  const int32_t* p = t.data<int32_t>();
  return {p, p + t.numel()};
}

class TokenBatchesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Ids equal to their position (modulo the vocabulary), split over two shards, so a
    // window's content tells where it starts.
    std::vector<int32_t> a(60), b(40);
    std::iota(a.begin(), a.end(), 0);
    std::iota(b.begin(), b.end(), 60);
    write_shard(dir.path("a.shard"), a);
    write_shard(dir.path("b.shard"), b);
  }
  TokenBatches stream(Sampling sampling, uint64_t seed = 7, int64_t batch = 3, int64_t context = 8) {
    return TokenBatches({dir.path("a.shard"), dir.path("b.shard")}, 100, batch, context, sampling, seed);
  }
  TempDir dir;
};

TEST_F(TokenBatchesTest, TargetsAreTheIdsShiftedByOne) {
  for (const Sampling sampling : {Sampling::random, Sampling::sequential}) {
    TokenBatches s = stream(sampling);
    EXPECT_EQ(s.num_ids(), 100);
    for (int i = 0; i < 5; ++i) {
      const Batch batch = s.next();
      EXPECT_EQ(batch.ids.shape(), (Shape{3, 8}));
      EXPECT_EQ(batch.targets.shape(), (Shape{3, 8}));
      EXPECT_EQ(batch.ids.dtype(), DType::i32);
      const std::vector<int32_t> x = values(batch.ids), y = values(batch.targets);
      for (size_t k = 0; k < x.size(); ++k) EXPECT_EQ(y[k], x[k] + 1);  // ids are consecutive positions
    }
  }
}

TEST_F(TokenBatchesTest, WindowsCrossShardBoundaries) {
  TokenBatches s = stream(Sampling::sequential, 0, 1, 8);
  std::vector<int32_t> seen;
  for (int i = 0; i < 8; ++i) seen.push_back(values(s.next().ids).front());
  EXPECT_EQ(seen, (std::vector<int32_t>{0, 8, 16, 24, 32, 40, 48, 56}));  // 56..64 spans both shards
}

TEST_F(TokenBatchesTest, SameSeedSameStreamOtherSeedAnother) {
  TokenBatches a = stream(Sampling::random, 7), b = stream(Sampling::random, 7), c = stream(Sampling::random, 8);
  bool differs = false;
  for (int i = 0; i < 4; ++i) {
    const std::vector<int32_t> x = values(a.next().ids);
    EXPECT_EQ(x, values(b.next().ids));
    differs = differs || x != values(c.next().ids);
  }
  EXPECT_TRUE(differs);
}

TEST_F(TokenBatchesTest, SavedStateContinuesTheSameStream) {
  for (const Sampling sampling : {Sampling::random, Sampling::sequential}) {
    TokenBatches original = stream(sampling);
    for (int i = 0; i < 3; ++i) original.next();
    // Through text, as a checkpoint stores it.
    const nlohmann::json saved = nlohmann::json::parse(write_config(original).dump());
    TokenBatches resumed = stream(sampling, 12345);  // the seed no longer matters
    resumed = read_config(config_source(saved, "trainer.json", "task.data"), std::move(resumed));
    for (int i = 0; i < 20; ++i) EXPECT_EQ(values(original.next().ids), values(resumed.next().ids)) << i;
  }
}

TEST_F(TokenBatchesTest, SequentialWrapsToTheStart) {
  // 100 ids, windows of 17 starting every 16 ids: starts 0, 16, ..., 80 fit (80 + 17 <= 100);
  // the next window would run past the end, so the stream starts over at 0.
  TokenBatches s = stream(Sampling::sequential, 0, 1, 16);
  std::vector<int32_t> starts;
  for (int i = 0; i < 8; ++i) starts.push_back(values(s.next().ids).front());
  EXPECT_EQ(starts, (std::vector<int32_t>{0, 16, 32, 48, 64, 80, 0, 16}));
}

TEST_F(TokenBatchesTest, RandomWindowsStayInside) {
  TokenBatches s = stream(Sampling::random, 3, 16, 30);
  for (int i = 0; i < 20; ++i) {
    const std::vector<int32_t> y = values(s.next().targets);
    for (int32_t id : y) EXPECT_LT(id, 100);
  }
}

TEST_F(TokenBatchesTest, IdsOutsideTheVocabularyNameTheShard) {
  expect_error(
      [&] {
        TokenBatches({dir.path("a.shard"), dir.path("b.shard")}, 80, 1, 8, Sampling::random, 0);
      },
      {"b.shard", "id 20 is 80", "vocabulary of 80 tokens"});
}

TEST_F(TokenBatchesTest, BadStatesAndTooShortCorporaAreClearErrors) {
  TokenBatches random = stream(Sampling::random), sequential = stream(Sampling::sequential);
  const auto restore = [](TokenBatches& s, const nlohmann::json& state) {
    read_fields(config_source(state, "trainer.json", "task.data"), [&](Fields& f) { s.fields(f); });
  };
  expect_error(
      [&] { restore(random, write_config(sequential)); },
      {"trainer.json: field 'task.data.sampling': expected \"random\" as this run samples, found \"sequential\""});
  expect_error(
      [&] {
        restore(random, {{"sampling", "random"}, {"rng", {1, 2}}});
      },
      {"trainer.json: field 'task.data.rng': expected 4 unsigned 64-bit words, found [1,2]"});
  expect_error(
      [&] {
        restore(sequential, {{"sampling", "sequential"}, {"position", 101}});
      },
      {"trainer.json: field 'task.data.position': expected an integer in [0, 100], found 101"});
  expect_error(
      [&] {
        restore(sequential, {{"sampling", "sequential"}, {"position", 1}, {"extra", 1}});
      },
      {"trainer.json: field 'task.data.extra': unknown field"});
  expect_error([&] { TokenBatches({dir.path("b.shard")}, 100, 1, 40, Sampling::random, 0); },
               {"b.shard", "hold 40 ids", "window of 41"});
}

}  // namespace
}  // namespace tessera::data

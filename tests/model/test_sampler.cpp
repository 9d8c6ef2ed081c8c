// The sampler: greedy is argmax, the cuts never let an excluded id through, the penalty
// and the allowed ranges do what they say (however they are split), and a seed reproduces a
// run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "model/sampler.h"
#include "support/expect_error.h"

namespace tessera::model {
namespace {

std::vector<float> random_logits(int64_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> logits(static_cast<size_t>(n));
  for (float& x : logits) x = 2.0f * rng.normal();
  return logits;
}

int32_t argmax(const std::vector<float>& x, int32_t lo, int32_t hi) {
  return lo + static_cast<int32_t>(std::max_element(x.begin() + lo, x.begin() + hi) - (x.begin() + lo));
}

// How often each id is drawn in `draws` samples.
std::map<int32_t, int> histogram(const std::vector<float>& logits, const SamplingConfig& config, int draws,
                                 std::vector<int32_t> history = {}, int32_t lo = 0, int32_t hi = 0) {
  Rng rng(config.seed);
  std::map<int32_t, int> counts;
  const int32_t end = hi == 0 ? static_cast<int32_t>(logits.size()) : hi;
  for (int i = 0; i < draws; ++i) ++counts[sample(logits, config, rng, history, lo, end)];
  return counts;
}

// The softmax of logits / t, in double.
std::vector<double> softmax(const std::vector<float>& logits, double t = 1.0) {
  const double top = *std::max_element(logits.begin(), logits.end());
  std::vector<double> p;
  double total = 0;
  for (float x : logits) total += p.emplace_back(std::exp((x - top) / t));
  for (double& v : p) v /= total;
  return p;
}

TEST(Sampler, GreedyIsArgmaxAndTopKOneIsGreedy) {
  Rng rng(1);
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const std::vector<float> logits = random_logits(97, seed);
    SamplingConfig greedy;
    greedy.temperature = 0;
    EXPECT_EQ(sample(logits, greedy, rng, {}, 0, 97), argmax(logits, 0, 97));
    SamplingConfig top1;
    top1.temperature = 1.5f;
    top1.top_k = 1;
    EXPECT_EQ(sample(logits, top1, rng, {}, 0, 97), argmax(logits, 0, 97));
  }
  const std::vector<float> ties = {1, 3, 3, 0};
  SamplingConfig greedy;
  greedy.temperature = 0;
  EXPECT_EQ(sample(ties, greedy, rng, {}, 0, 4), 1) << "ties go to the lowest id";
}

TEST(Sampler, ASeedReproducesItsDraws) {
  const std::vector<float> logits = random_logits(50, 3);
  SamplingConfig config;
  config.top_p = 0.9f;
  config.seed = 42;
  const auto draws = [&](uint64_t seed) {
    Rng rng(seed);
    std::vector<int32_t> out;
    for (int i = 0; i < 64; ++i) out.push_back(sample(logits, config, rng, {}, 0, 50));
    return out;
  };
  EXPECT_EQ(draws(42), draws(42));
  EXPECT_NE(draws(42), draws(43));
}

TEST(Sampler, PlainSamplingFollowsTheSoftmax) {
  const std::vector<float> logits = {0.0f, 1.0f, 2.0f, -1.0f};
  SamplingConfig config;
  config.temperature = 0.7f;
  const int draws = 20000;
  const auto counts = histogram(logits, config, draws);
  const std::vector<double> p = softmax(logits, 0.7);
  for (int32_t id = 0; id < 4; ++id) {
    const double freq = counts.count(id) ? counts.at(id) / static_cast<double>(draws) : 0.0;
    EXPECT_NEAR(freq, p[id], 4 * std::sqrt(p[id] * (1 - p[id]) / draws) + 1e-3) << "id " << id;
  }
}

TEST(Sampler, TopKTopPAndMinPNeverPickExcludedIds) {
  const std::vector<float> logits = random_logits(200, 11);
  const std::vector<double> p = softmax(logits);
  std::vector<int32_t> order(200);
  for (int32_t i = 0; i < 200; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return logits[a] > logits[b]; });

  SamplingConfig top_k;
  top_k.top_k = 5;
  for (const auto& [id, n] : histogram(logits, top_k, 5000)) {
    EXPECT_LT(std::find(order.begin(), order.end(), id) - order.begin(), 5) << "top-k let id " << id << " through";
  }

  // The nucleus: the fewest most likely ids whose mass reaches 0.6.
  SamplingConfig top_p;
  top_p.top_p = 0.6f;
  size_t nucleus = 0;
  for (double mass = 0; mass < 0.6;) mass += p[order[nucleus++]];
  const auto counts = histogram(logits, top_p, 5000);
  for (const auto& [id, n] : counts) {
    EXPECT_LT(static_cast<size_t>(std::find(order.begin(), order.end(), id) - order.begin()), nucleus)
        << "top-p let id " << id << " through";
  }
  EXPECT_EQ(counts.size(), nucleus) << "every id of the nucleus is drawn in 5000 tries";

  SamplingConfig min_p;
  min_p.min_p = 0.2f;
  const double threshold = 0.2 * p[order[0]];
  for (const auto& [id, n] : histogram(logits, min_p, 5000)) {
    EXPECT_GE(p[id], threshold) << "min-p let id " << id << " through";
  }
}

TEST(Sampler, RepetitionPenaltyLowersARepeatedTokensProbability) {
  const std::vector<float> logits = {2.0f, 2.0f, -1.0f, -1.0f, 0.5f};
  SamplingConfig config;
  config.repetition_penalty = 2.0f;
  const int draws = 20000;
  const auto plain = histogram(logits, config, draws, {});
  // id 0 (positive logit) and id 2 (negative) are repeated; the repeats count once.
  const auto penalized = histogram(logits, config, draws, {0, 0, 0, 2});
  EXPECT_LT(penalized.at(0), plain.at(0) * 0.6);
  EXPECT_LT(penalized.at(2), plain.at(2) * 0.6);
  // The penalized logits are {1, 2, -2, -1, 0.5}: check the frequency of id 0 exactly.
  const std::vector<double> p = softmax({1.0f, 2.0f, -2.0f, -1.0f, 0.5f});
  EXPECT_NEAR(penalized.at(0) / static_cast<double>(draws), p[0], 4 * std::sqrt(p[0] * (1 - p[0]) / draws));
  SamplingConfig greedy = config;
  greedy.temperature = 0;
  Rng rng(0);
  const std::vector<int32_t> history = {0};
  EXPECT_EQ(sample(logits, greedy, rng, history, 0, 5), 1) << "the penalty applies before greedy too";
}

TEST(Sampler, TheAllowedRangeIsRespected) {
  const std::vector<float> logits = random_logits(100, 5);
  SamplingConfig config;
  config.temperature = 2.0f;
  for (const auto& [id, n] : histogram(logits, config, 3000, {}, 40, 60)) {
    EXPECT_GE(id, 40);
    EXPECT_LT(id, 60);
  }
  config.temperature = 0;
  Rng rng(0);
  EXPECT_EQ(sample(logits, config, rng, {}, 40, 60), argmax(logits, 40, 60));
  // A range whose logits are all -inf (banned) cannot be sampled.
  std::vector<float> banned = logits;
  std::fill(banned.begin() + 40, banned.begin() + 60, -INFINITY);
  expect_error([&] { sample(banned, config, rng, {}, 40, 60); }, {"no allowed logit in [40, 60) is finite"});
}

TEST(Sampler, SeveralRangesAreRespected) {
  const std::vector<float> logits = random_logits(100, 8);
  const std::vector<IdRange> allowed = {{5, 10}, {40, 45}, {90, 100}};
  const auto inside = [&](int32_t id) {
    return (id >= 5 && id < 10) || (id >= 40 && id < 45) || (id >= 90 && id < 100);
  };
  for (SamplingConfig config : {SamplingConfig{.temperature = 3.0f}, SamplingConfig{.temperature = 2.0f, .top_k = 7},
                                SamplingConfig{.temperature = 2.0f, .top_p = 0.8f, .min_p = 0.01f}}) {
    Rng rng(2);
    std::map<int32_t, int> counts;
    const std::vector<int32_t> history = {6, 41, 50, 91};  // 50 is not allowed: its penalty changes nothing
    config.repetition_penalty = 1.5f;
    for (int i = 0; i < 3000; ++i) ++counts[sample(logits, config, rng, history, allowed)];
    for (const auto& [id, n] : counts) EXPECT_TRUE(inside(id)) << "id " << id << " was drawn";
    EXPECT_GE(counts.size(), 3u);
  }
  SamplingConfig greedy{.temperature = 0};
  Rng rng(0);
  int32_t best = 5;
  for (const IdRange& r : allowed) {
    for (int32_t id = r.lo; id < r.hi; ++id) best = logits[id] > logits[best] ? id : best;
  }
  EXPECT_EQ(sample(logits, greedy, rng, {}, allowed), best);
}

TEST(Sampler, HowTheRangesAreSplitNeverChangesTheDraw) {
  const std::vector<float> logits = random_logits(80, 9);
  const std::vector<IdRange> whole = {{10, 60}}, split = {{10, 11}, {11, 35}, {35, 60}};
  const std::vector<int32_t> history = {12, 12, 40, 70};
  for (SamplingConfig config : {SamplingConfig{.temperature = 1.5f, .repetition_penalty = 1.3f},
                                SamplingConfig{.temperature = 0.9f, .top_k = 12, .top_p = 0.9f}}) {
    Rng a(5), b(5), c(5);
    for (int i = 0; i < 500; ++i) {
      const int32_t id = sample(logits, config, a, history, whole);
      EXPECT_EQ(sample(logits, config, b, history, split), id);
      EXPECT_EQ(sample(logits, config, c, history, 10, 60), id) << "the single-range form";
    }
  }
}

TEST(Sampler, BadRangeListsAreClearErrors) {
  const std::vector<float> logits(10, 0.0f);
  Rng rng(0);
  expect_error([&] { sample(logits, {}, rng, {}, std::span<const IdRange>{}); }, {"no ids are allowed"});
  const std::vector<IdRange> overlapping = {{0, 5}, {4, 8}}, descending = {{6, 8}, {0, 2}}, outside = {{0, 2}, {8, 11}};
  expect_error([&] { sample(logits, {}, rng, {}, overlapping); }, {"[0, 5) [4, 8)", "overlap or are out of order"});
  expect_error([&] { sample(logits, {}, rng, {}, descending); }, {"[6, 8) [0, 2)", "overlap or are out of order"});
  expect_error([&] { sample(logits, {}, rng, {}, outside); }, {"[8, 11)", "outside the vocabulary [0, 10)"});
}

TEST(Sampler, BadSettingsAreClearErrors) {
  const std::vector<float> logits = {1, 2, 3};
  Rng rng(0);
  expect_error([&] { sample(logits, {}, rng, {}, 2, 2); }, {"[2, 2)", "empty or outside", "[0, 3)"});
  expect_error([&] { sample(logits, {}, rng, {}, 0, 4); }, {"[0, 4)"});
  SamplingConfig c;
  c.temperature = -1;
  expect_error([&] { c.validate(); }, {"temperature", ">= 0", "-1"});
  c = {};
  c.top_p = 0;
  expect_error([&] { c.validate(); }, {"top_p", "(0, 1]"});
  c = {};
  c.min_p = 1.5f;
  expect_error([&] { c.validate(); }, {"min_p", "1.5"});
  c = {};
  c.top_k = -2;
  expect_error([&] { c.validate(); }, {"top_k", "-2"});
  c = {};
  c.repetition_penalty = 0;
  expect_error([&] { c.validate(); }, {"repetition_penalty", "> 0"});
}

}  // namespace
}  // namespace tessera::model

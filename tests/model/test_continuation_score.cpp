// Likelihood ranking: each continuation's log-probability after a shared prefix equals the
// sum of its tokens' log-probabilities scored the slow way (the whole sequence through the
// model), whatever the batch, padding and candidate lengths; the most likely candidate of a
// toy model is found; bad input is refused by name.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "model/continuation_score.h"
#include "model/score.h"
#include "support/expect_error.h"

namespace tessera::model {
namespace {

TransformerConfig toy_config() {
  TransformerConfig c;
  c.vocab_size = 41;
  c.dim = 32;
  c.n_layers = 2;
  c.n_heads = 4;
  c.hidden = 48;
  c.tied_embeddings = true;
  c.init_std = 0.5f;
  return c;
}

// log p(cont | prefix) from one forward pass over prefix + cont (score.h).
double slow_logprob(const Transformer& model, const std::vector<int32_t>& prefix, const std::vector<int32_t>& cont) {
  std::vector<int32_t> ids = prefix;
  ids.insert(ids.end(), cont.begin(), cont.end());
  const SequenceScore s = score(model, 64, ids, 0);
  double sum = 0;
  for (size_t i = prefix.size(); i < ids.size(); ++i) sum += *s.tokens[i].logprob;
  return sum;
}

TEST(ContinuationScore, EqualsTheSlowSumForAnyBatchAndLength) {
  Rng rng(3);
  const Transformer model(toy_config(), rng);
  const std::vector<int32_t> prefix = {1, 7, 19, 4, 33};
  const std::vector<std::vector<int32_t>> conts = {{5}, {8, 9, 10}, {2, 2}, {40, 0, 13, 13, 6}, {11, 12}};
  for (const int64_t batch : {1, 2, 32}) {
    const std::vector<double> got = continuation_logprobs(model, 64, prefix, conts, /*pad_id=*/0, batch);
    ASSERT_EQ(got.size(), conts.size());
    for (size_t c = 0; c < conts.size(); ++c) {
      EXPECT_NEAR(got[c], slow_logprob(model, prefix, conts[c]), 2e-4) << "continuation " << c << ", batch " << batch;
      EXPECT_LT(got[c], 0.0);
    }
  }
}

TEST(ContinuationScore, RanksTheContinuationTheModelPrefers) {
  Rng rng(11);
  const Transformer model(toy_config(), rng);
  const std::vector<int32_t> prefix = {3, 14, 15};
  // The model's own greedy choices make the most likely two-token continuation among these.
  const SequenceScore first = score(model, 64, prefix, 1);
  std::vector<int32_t> best = {first.next[0].id};
  std::vector<int32_t> seq = prefix;
  seq.push_back(best[0]);
  best.push_back(score(model, 64, seq, 1).next[0].id);
  std::vector<std::vector<int32_t>> conts;
  for (int32_t a = 0; a < 41; a += 5) conts.push_back({a, (a * 7) % 41});
  conts.push_back(best);
  const std::vector<double> got = continuation_logprobs(model, 64, prefix, conts, 0);
  const auto top = std::max_element(got.begin(), got.end()) - got.begin();
  EXPECT_EQ(conts[static_cast<size_t>(top)], best);
}

TEST(ContinuationScore, RefusesBadInputNamingIt) {
  Rng rng(1);
  const Transformer model(toy_config(), rng);
  expect_error([&] { continuation_logprobs(model, 64, {}, {{1}}, 0); }, {"prefix of at least one token"});
  expect_error(
      [&] {
        continuation_logprobs(model, 64, std::vector<int32_t>{1}, {{1}, {}}, 0);
      },
      {"continuation 1 is empty"});
  expect_error([&] { continuation_logprobs(model, 64, std::vector<int32_t>{1}, {{41}}, 0); },
               {"id 41 in the continuations", "[0, 41)"});
  expect_error(
      [&] {
        continuation_logprobs(model, 8, std::vector<int32_t>{1, 2, 3, 4, 5}, {{1, 2, 3, 4}}, 0);
      },
      {"continuation 0 (4)", "context length of 8"});
}

}  // namespace
}  // namespace tessera::model

// The transformer's attention mask: examples packed into one row behind a block-diagonal
// mask give the logits each gives alone (RoPE is relative, so an example's offset in the row
// does not matter), and a row padded on the left behind a key mask decodes as it does unpadded.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "autograd/engine.h"
#include "autograd/layout.h"
#include "model/kv_cache.h"
#include "model/transformer.h"
#include "support/expect_error.h"
#include "support/op_check.h"

namespace tessera::model {
namespace {

TransformerConfig small_config() {
  TransformerConfig c;
  c.vocab_size = 41;
  c.dim = 32;
  c.n_layers = 2;
  c.n_heads = 4;
  c.hidden = 48;
  c.init_std = 0.5f;
  return c;
}

Tensor u8_tensor(const std::vector<uint8_t>& values, const Shape& shape) {
  Tensor t = Tensor::empty(shape, DType::u8);
  std::copy(values.begin(), values.end(), t.data<uint8_t>());
  return t;
}

// u8 (1, T, T): position i may attend j when both lie in the same segment.
Tensor same_segment_mask(const std::vector<int64_t>& segment_of) {
  const auto T = static_cast<int64_t>(segment_of.size());
  std::vector<uint8_t> allowed(static_cast<size_t>(T * T));
  for (int64_t i = 0; i < T; ++i) {
    for (int64_t j = 0; j < T; ++j) allowed[static_cast<size_t>(i * T + j)] = segment_of[i] == segment_of[j];
  }
  return u8_tensor(allowed, {1, T, T});
}

TEST(AttentionMask, PackedExamplesGiveTheLogitsEachGivesAlone) {
  Rng rng(5);
  const Transformer model(small_config(), rng);
  autograd::NoGradGuard no_grad;
  const Tensor a = rand_int({1, 7}, rng, 0, 41), b = rand_int({1, 12}, rng, 0, 41);
  const Tensor packed = concat({a, b}, 1);
  std::vector<int64_t> segment_of(7, 0);
  segment_of.resize(19, 1);

  const Tensor logits = model.forward(packed, 0, same_segment_mask(segment_of));
  EXPECT_LE(testing::relative_error(slice(logits, 1, 0, 7), model.forward(a)), 1e-5);
  EXPECT_LE(testing::relative_error(slice(logits, 1, 7, 19), model.forward(b)), 1e-5);
  // The negative control: without the mask the second example sees the first.
  EXPECT_GT(testing::relative_error(slice(model.forward(packed), 1, 7, 19), model.forward(b)), 1e-3);
}

TEST(AttentionMask, ALeftPaddedRowDecodesAsItDoesAlone) {
  Rng rng(6);
  const Transformer model(small_config(), rng);
  autograd::NoGradGuard no_grad;
  const int64_t pad = 3, P = 5;
  const Tensor prompt = rand_int({1, P}, rng, 0, 41);
  const Tensor next = rand_int({1, 1}, rng, 0, 41);

  // Row 0 is the prompt after `pad` ids that it must not see; row 1 is any other prompt.
  const Tensor padded = concat({rand_int({1, pad}, rng, 0, 41), prompt}, 1);
  const Tensor rows = concat({padded, rand_int({1, pad + P}, rng, 0, 41)}, 0);
  std::vector<uint8_t> keys(static_cast<size_t>(2 * (pad + P + 1)), 1);
  for (int64_t j = 0; j < pad; ++j) keys[static_cast<size_t>(j)] = 0;
  auto mask_for = [&](int64_t Tq, int64_t Tk) {  // (2, Tq, Tk) from the per-row key mask
    std::vector<uint8_t> m;
    for (int64_t b = 0; b < 2; ++b) {
      for (int64_t i = 0; i < Tq; ++i) {
        for (int64_t j = 0; j < Tk; ++j) m.push_back(keys[static_cast<size_t>(b * (pad + P + 1) + j)]);
      }
    }
    return u8_tensor(m, {2, Tq, Tk});
  };

  KVCache cache(model.config, 2, pad + P + 1);
  const Tensor prefill = model.forward(rows, cache, /*last_only=*/true, mask_for(pad + P, pad + P));
  const Tensor step = model.forward(concat({next, next}, 0), cache, false, mask_for(1, pad + P + 1));

  KVCache alone(model.config, 1, P + 1);
  const Tensor prefill_alone = model.forward(prompt, alone, true);
  const Tensor step_alone = model.forward(next, alone);
  EXPECT_LE(testing::relative_error(slice(prefill, 0, 0, 1), prefill_alone), 1e-5);
  EXPECT_LE(testing::relative_error(slice(step, 0, 0, 1), step_alone), 1e-5);
}

TEST(AttentionMask, AMaskOfTheWrongShapeIsAnError) {
  Rng rng(7);
  const Transformer model(small_config(), rng);
  autograd::NoGradGuard no_grad;
  const Tensor ids = rand_int({1, 6}, rng, 0, 41);
  expect_error([&] { model.forward(ids, 0, same_segment_mask(std::vector<int64_t>(5, 0))); }, {"mask", "does not fit"});
}

}  // namespace
}  // namespace tessera::model

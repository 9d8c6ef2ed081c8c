// The one training step: micro-batches accumulate to the whole batch's gradient, and the
// step reports the loss, the norm before clipping and the learning rate it used.
#include "train/train_step.h"

#include <gtest/gtest.h>

#include "optim/clip.h"

namespace tessera::train {
namespace {

model::TransformerConfig tiny_config() {
  model::TransformerConfig c;
  c.vocab_size = 50;
  c.dim = 16;
  c.n_layers = 1;
  c.n_heads = 2;
  c.hidden = 32;
  return c;
}

data::Batch rows(const Tensor& ids, const Tensor& targets, int64_t from, int64_t count) {
  const int64_t T = ids.shape()[1];
  const auto slice = [&](const Tensor& t) {
    std::vector<int32_t> v(t.data<int32_t>() + from * T, t.data<int32_t>() + (from + count) * T);
    return Tensor::from_vector(v, {count, T});
  };
  return {slice(ids), slice(targets)};
}

TEST(TrainStep, MicroBatchesAccumulateToTheWholeBatch) {
  Rng data_rng(3);
  const Tensor ids = rand_int({4, 8}, data_rng, 0, 50), targets = rand_int({4, 8}, data_rng, 0, 50);
  const data::Batch whole = rows(ids, targets, 0, 4);
  const std::vector<data::Batch> halves = {rows(ids, targets, 0, 2), rows(ids, targets, 2, 2)};

  Rng a_rng(1), b_rng(1);
  model::Transformer a(tiny_config(), a_rng), b(tiny_config(), b_rng);
  optim::AdamW a_opt(a.named_parameters(), {}), b_opt(b.named_parameters(), {});
  const StepResult one = train_step(a, a_opt, {&whole, 1}, {1e-3f, 0.0f, 1e-4f});
  const StepResult two = train_step(b, b_opt, halves, {1e-3f, 0.0f, 1e-4f});
  EXPECT_NEAR(one.loss, two.loss, 1e-5);
  EXPECT_NEAR(one.grad_norm, two.grad_norm, 1e-4 * one.grad_norm);
  EXPECT_EQ(one.lr, 1e-3f);
  const auto pa = a.parameters(), pb = b.parameters();
  for (size_t i = 0; i < pa.size(); ++i) {
    for (int64_t k = 0; k < pa[i].numel(); ++k) {
      ASSERT_NEAR(pa[i].data<float>()[k], pb[i].data<float>()[k], 1e-6) << "parameter " << i;
    }
  }
}

TEST(TrainStep, ReportsTheNormBeforeClippingAndClips) {
  Rng data_rng(5);
  const data::Batch batch{rand_int({2, 8}, data_rng, 0, 50), rand_int({2, 8}, data_rng, 0, 50)};
  Rng rng(2);
  model::Transformer m(tiny_config(), rng);
  optim::AdamW opt(m.named_parameters(), {});
  const StepResult r = train_step(m, opt, {&batch, 1}, {1e-3f, 1e-3f, 0.0f});
  EXPECT_GT(r.grad_norm, 1e-3f);  // reported unclipped
  EXPECT_NEAR(optim::clip_grad_norm(m.parameters(), 0.0f), 1e-3f, 1e-6f);  // what AdamW saw
  EXPECT_GT(r.loss, 3.0f);  // about ln(50) at initialization
}

}  // namespace
}  // namespace tessera::train

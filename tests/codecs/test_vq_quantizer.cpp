// The VQ quantizer's parts by hand: nearest codes, the EMA update, dead-code restarts, the
// straight-through gradient with its commitment loss, and keeping a subset of the codes.
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/elementwise.h"
#include "autograd/engine.h"
#include "autograd/losses.h"
#include "autograd/reduce.h"
#include "codecs/image/vq_quantizer.h"
#include "support/expect_error.h"
#include "support/synthetic_images.h"

namespace tessera::codecs {
namespace {

ImageCodecConfig vq_config(int64_t codes, int64_t dim, float decay, float threshold) {
  ImageCodecConfig c = testing::tiny_codec_config(1, true);
  c.codebook_size = codes;
  c.code_dim = dim;
  c.ema_decay = decay;
  c.dead_code_threshold = threshold;
  return c;
}

std::vector<float> row(const Tensor& t, int64_t r) {
  const int64_t d = t.size(1);
  const std::vector<float> all = t.to_vector();
  return {all.begin() + r * d, all.begin() + (r + 1) * d};
}

TEST(VqQuantizer, NearestIsTheBruteForceNearestCode) {
  Rng rng(1);
  const VqQuantizer vq(vq_config(37, 5, 0.99f, 0), rng);
  const Tensor rows = randn({200, 5}, rng, 1.5f);
  const std::vector<float> ids = vq.nearest(rows).to(DType::f32).to_vector();
  for (int64_t r = 0; r < 200; ++r) {
    double best = INFINITY;
    int64_t best_k = -1;
    for (int64_t k = 0; k < 37; ++k) {
      double d = 0;
      for (int64_t j = 0; j < 5; ++j) d += std::pow(row(rows, r)[j] - row(vq.codebook(), k)[j], 2);
      if (d < best) best = d, best_k = k;
    }
    EXPECT_EQ(ids[r], static_cast<float>(best_k)) << "row " << r;
  }
}

TEST(VqQuantizer, EmaUpdateMovesCodesToTheRunningMeanOfTheirVectors) {
  Rng rng(2), restarts(3);
  VqQuantizer vq(vq_config(4, 2, 0.5f, 0), rng);
  const std::vector<float> untouched = row(vq.codebook(), 1);
  const Tensor rows = Tensor::from_vector(std::vector<float>{1, 2, 3, 4, 10, 20}, {3, 2});
  const Tensor ids = Tensor::from_vector(std::vector<int32_t>{0, 0, 2}, {3});
  EXPECT_EQ(vq.ema_update(rows, ids, restarts), 0);
  // cluster_size = 0.5 * 0 + 0.5 * count; embed_sum likewise; code = embed_sum / cluster_size.
  EXPECT_EQ(vq.cluster_size().to_vector(), (std::vector<float>{1, 0, 0.5f, 0}));
  EXPECT_EQ(row(vq.codebook(), 0), (std::vector<float>{2, 3}));
  EXPECT_EQ(row(vq.codebook(), 2), (std::vector<float>{10, 20}));
  EXPECT_EQ(row(vq.codebook(), 1), untouched) << "a code never assigned stays where it was";
  // Second step: code 0 gets one vector (6, 7). cluster_size 0.5 + 0.5 = 1;
  // embed_sum = 0.5 (2, 3) + 0.5 (6, 7) = (4, 5).
  EXPECT_EQ(vq.ema_update(Tensor::from_vector(std::vector<float>{6, 7}, {1, 2}),
                          Tensor::from_vector(std::vector<int32_t>{0}, {1}), restarts),
            0);
  EXPECT_EQ(vq.cluster_size().to_vector(), (std::vector<float>{1, 0, 0.25f, 0}));
  EXPECT_EQ(row(vq.codebook(), 0), (std::vector<float>{4, 5}));
  EXPECT_EQ(row(vq.codebook(), 2), (std::vector<float>{10, 20})) << "decay alone keeps the mean";
}

TEST(VqQuantizer, DeadCodesRestartOnVectorsOfTheBatch) {
  Rng rng(4), restarts(5);
  VqQuantizer vq(vq_config(6, 2, 0.5f, 0.6f), rng);
  const Tensor rows = Tensor::from_vector(std::vector<float>{1, 1, 2, 2, 3, 3}, {3, 2});
  // All three vectors go to code 0 (cluster_size 1.5); the other five fall below 0.6.
  EXPECT_EQ(vq.ema_update(rows, Tensor::from_vector(std::vector<int32_t>{0, 0, 0}, {3}), restarts), 5);
  EXPECT_EQ(row(vq.codebook(), 0), (std::vector<float>{2, 2}));
  for (int64_t k = 1; k < 6; ++k) {
    const std::vector<float> code = row(vq.codebook(), k);
    EXPECT_EQ(code[0], code[1]);
    EXPECT_TRUE(code[0] == 1 || code[0] == 2 || code[0] == 3) << "code " << k << " is not a batch vector";
    EXPECT_FLOAT_EQ(vq.cluster_size().to_vector()[k], 0.6f);
  }
  // A restarted code that stays unused decays below the threshold and moves again; a used
  // one survives.
  EXPECT_EQ(vq.ema_update(rows, Tensor::from_vector(std::vector<int32_t>{0, 1, 1}, {3}), restarts), 4);
}

TEST(VqQuantizer, StraightThroughGradientAndCommitmentLoss) {
  ImageCodecConfig c = vq_config(8, 3, 0.9f, 0);
  c.commitment = 0.5f;
  Rng init(6), twin_init(6), data(7), restarts(8);
  VqQuantizer vq(c, init);
  const VqQuantizer twin(c, twin_init);  // the same codebook, never updated
  Tensor latents = randn({2, 3, 2, 2}, data);
  latents.set_requires_grad(true);
  const Quantized q = vq.quantize(latents, &restarts);
  EXPECT_EQ(q.ids.shape(), (Shape{2, 4}));
  // The values are the chosen codes as they were before this step's EMA update moved them.
  const Tensor chosen = twin.lookup(q.ids, 2, 2);
  EXPECT_NE(vq.lookup(q.ids, 2, 2).to_vector(), chosen.to_vector());
  const std::vector<float> values = q.values.to_vector(), e = chosen.to_vector();
  for (size_t i = 0; i < e.size(); ++i) EXPECT_NEAR(values[i], e[i], 1e-6);
  EXPECT_NEAR(q.loss.item(), 0.5 * mse_loss(latents, chosen).item(), 1e-6);
  const Tensor upstream = randn({2, 3, 2, 2}, data);
  autograd::backward(sum(q.values * upstream) + q.loss);
  // d/dz of sum(values * u) is u (straight through); of 0.5 mean((z - e)^2) it is (z - e) / 24.
  const std::vector<float> grad = latents.grad().to_vector(), u = upstream.to_vector(), z = latents.to_vector();
  for (size_t i = 0; i < grad.size(); ++i) EXPECT_NEAR(grad[i], u[i] + (z[i] - e[i]) / 24.0f, 1e-5);
}

TEST(VqQuantizer, KeepCodesKeepsThoseRowsAndStatisticsRenumbered) {
  Rng rng(9), restarts(10);
  VqQuantizer vq(vq_config(5, 2, 0.5f, 0), rng);
  const Tensor rows = Tensor::from_vector(std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {5, 2});
  vq.ema_update(rows, Tensor::from_vector(std::vector<int32_t>{0, 1, 2, 3, 4}, {5}), restarts);
  vq.keep_codes({1, 4});
  EXPECT_EQ(vq.codebook().shape(), (Shape{2, 2}));
  EXPECT_EQ(row(vq.codebook(), 0), (std::vector<float>{3, 4}));
  EXPECT_EQ(row(vq.codebook(), 1), (std::vector<float>{9, 10}));
  EXPECT_EQ(vq.cluster_size().to_vector(), (std::vector<float>{0.5f, 0.5f}));
  // The vector of a dropped code (code 2, (5, 6)) goes to the nearest kept one.
  EXPECT_EQ(vq.nearest(rows).to(DType::f32).to_vector(), (std::vector<float>{0, 0, 0, 1, 1}));
  const nn::NamedTensors buffers = vq.buffers();
  EXPECT_EQ(buffers.at(2).second.shape(), (Shape{2, 2})) << "embed_sum follows";
  // The whole update runs on the smaller codebook.
  vq.ema_update(rows, vq.nearest(rows), restarts);
  EXPECT_EQ(vq.lookup(Tensor::from_vector(std::vector<int32_t>{1}, {1, 1}), 1, 1).numel(), 2);
  expect_error([&] { vq.lookup(Tensor::from_vector(std::vector<int32_t>{2}, {1, 1}), 1, 1); }, {"id 2", "[0, 2)"});
}

TEST(VqQuantizer, KeepCodesRefusesIdsOutOfRangeRepeatedOrNone) {
  Rng rng(11);
  VqQuantizer vq(vq_config(4, 2, 0.5f, 0), rng);
  expect_error([&] { vq.keep_codes({}); }, {"none of the 4 codes"});
  expect_error([&] { vq.keep_codes({0, 4}); }, {"[0, 4)", "found 4 at position 1"});
  expect_error([&] { vq.keep_codes({2, 2}); }, {"distinct, increasing", "found 2 at position 1"});
  expect_error([&] { vq.keep_codes({3, 1}); }, {"found 1 at position 1"});
  EXPECT_EQ(vq.codebook().shape(), (Shape{4, 2})) << "a refused call changes nothing";
}

}  // namespace
}  // namespace tessera::codecs

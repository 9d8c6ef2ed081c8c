#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/rng.h"
#include "optim/clip.h"
#include "support/op_check.h"
#include "support/torch_oracle.h"

namespace tessera::optim {
namespace {

Tensor param_with_grad(const Tensor& grad, bool owned = true) {
  Tensor p = Tensor::zeros(grad.shape()).set_requires_grad(true);
  p.set_grad(grad, owned);
  return p;
}

// Clips in Tessera and PyTorch; `params` names every parameter, with or without a gradient.
void expect_matches_torch(const std::vector<std::pair<std::string, Tensor>>& params, float max_norm) {
  testing::NamedTensors request;
  nlohmann::json names = nlohmann::json::array();
  std::vector<Tensor> tensors;
  for (const auto& [name, p] : params) {
    names.push_back(name);
    if (p.grad().defined()) request.emplace_back("grad." + name, p.grad().clone());
    tensors.push_back(p);
  }
  const float norm = clip_grad_norm(tensors, max_norm);
  const Safetensors ref = testing::torch_call(
      "script", request,
      {{"path", "tests/optim/clip_reference.py"}, {"names", names.dump()}, {"max_norm", std::to_string(max_norm)}});
  EXPECT_LE(testing::relative_error(Tensor::full({1}, norm), ref.get("norm")), 1e-6);
  for (const auto& [name, p] : params) {
    if (!p.grad().defined()) continue;
    EXPECT_LE(testing::relative_error(p.grad(), ref.get("grad." + name)), 1e-6) << name;
  }
}

TEST(ClipGradNorm, ClipsLikeTorch) {
  Rng rng(1);
  expect_matches_torch({{"w", param_with_grad(randn({3, 17}, rng))},
                        {"b", param_with_grad(randn({65}, rng, 3))},
                        {"unused", Tensor::zeros({4}).set_requires_grad(true)}},
                       1.0f);
}

TEST(ClipGradNorm, BelowTheLimitChangesNothingLikeTorch) {
  Rng rng(2);
  const Tensor g = randn({5, 3}, rng, 0.01f);
  const std::vector<float> before = g.to_vector();
  expect_matches_torch({{"w", param_with_grad(g)}}, 10.0f);
  EXPECT_EQ(g.to_vector(), before);
}

TEST(ClipGradNorm, ReturnsTheNormBeforeClipping) {
  const Tensor p = param_with_grad(Tensor::from_vector(std::vector<float>{3, 4}, {2}));
  const Tensor q = param_with_grad(Tensor::from_vector(std::vector<float>{12}, {1}));
  EXPECT_FLOAT_EQ(clip_grad_norm({p, q}, 1.0f), 13.0f);
  EXPECT_NEAR(std::hypot(p.grad().to_vector()[0], std::hypot(p.grad().to_vector()[1], q.grad().item())), 1.0f, 1e-6);
  EXPECT_FLOAT_EQ(clip_grad_norm({}, 1.0f), 0.0f);
  EXPECT_FLOAT_EQ(clip_grad_norm({Tensor::zeros({3}).set_requires_grad(true)}, 1.0f), 0.0f);
}

TEST(ClipGradNorm, ANonPositiveLimitOnlyMeasures) {
  const Tensor p = param_with_grad(Tensor::from_vector(std::vector<float>{3, 4}, {2}));
  EXPECT_FLOAT_EQ(clip_grad_norm({p}, 0.0f), 5.0f);
  EXPECT_EQ(p.grad().to_vector(), (std::vector<float>{3, 4}));
}

// A gradient buffer shared by two parameters (as autograd hands it out) is scaled through
// copies, once for each parameter; an owned one is scaled in place.
TEST(ClipGradNorm, SharedBuffersAreCopiedOwnedOnesScaledInPlace) {
  const Tensor shared = Tensor::from_vector(std::vector<float>{3, 4}, {2});
  const Tensor a = param_with_grad(shared, false), b = param_with_grad(shared, false);
  const Tensor owned = Tensor::from_vector(std::vector<float>{0, 0}, {2});
  const Tensor c = param_with_grad(owned, true);
  EXPECT_NEAR(clip_grad_norm({a, b, c}, 1.0f), std::sqrt(50.0f), 1e-5);
  EXPECT_EQ(shared.to_vector(), (std::vector<float>{3, 4}));
  EXPECT_FALSE(a.grad().shares_storage_with(shared));
  EXPECT_FALSE(a.grad().shares_storage_with(b.grad()));
  EXPECT_TRUE(c.grad().shares_storage_with(owned));
  const float scale = 1.0f / (std::sqrt(50.0f) + 1e-6f);
  EXPECT_NEAR(a.grad().to_vector()[1], 4 * scale, 1e-6);
  EXPECT_NEAR(b.grad().to_vector()[1], 4 * scale, 1e-6);
}

}  // namespace
}  // namespace tessera::optim

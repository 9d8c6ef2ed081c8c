#include <gtest/gtest.h>

#include "autograd/engine.h"
#include "autograd/norm.h"
#include "core/rng.h"
#include "core/threads.h"
#include "support/expect_error.h"
#include "support/op_check.h"

namespace tessera::testing {

namespace {

constexpr float kEps = 1e-5f;
const std::string kRms = "x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5)";

// (x, per-channel parameters...) over odd sizes, 2-D to 4-D, and one case big enough to
// split the rows over threads and into several blocks of parameter-gradient partials.
// C = 1 is left out: layer_norm's output is then the bias alone, its x and weight
// gradients are exactly 0, and both sides produce only rounding noise to compare.
std::vector<std::vector<InputSpec>> norm_cases(int params) {
  const std::vector<Shape> shapes = {{3, 17}, {2, 5, 65}, {2, 3, 4, 17}, {1, 3}, {5, 129, 65}};
  std::vector<std::vector<InputSpec>> cases;
  for (const Shape& shape : shapes) {
    std::vector<InputSpec> c = {randn(shape)};
    for (int p = 0; p < params; ++p) c.push_back(randn({shape.back()}));
    cases.push_back(c);
  }
  return cases;
}

}  // namespace

TEST(RmsNorm, MatchesTorchWithWeight) {
  check_op("lambda x, w: " + kRms + " * w", norm_cases(1),
           [](const Inputs& in) { return rms_norm(in[0], in[1], kEps); });
}

TEST(RmsNorm, MatchesTorchWithoutWeight) {
  check_op("lambda x: " + kRms, norm_cases(0), [](const Inputs& in) { return rms_norm(in[0], Tensor(), kEps); });
}

TEST(RmsNorm, SingleChannel) {
  // With C = 1 the output is nearly sign(x) * w unless eps is comparable with x^2, and its
  // gradient in x nearly 0, which finite differences cannot resolve; eps = 1 keeps it smooth.
  check_op("lambda x, w: x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1.0) * w",
           {{randn({1, 1}), randn({1})}, {randn({3, 1}), randn({1})}},
           [](const Inputs& in) { return rms_norm(in[0], in[1], 1.0f); });
}

TEST(RmsNorm, GradientOfOneInputOnly) {
  check_op("lambda x, w: " + kRms + " * w",
           {{no_grad(randn({3, 17})), randn({17})}, {randn({2, 5, 65}), no_grad(randn({65}))}},
           [](const Inputs& in) { return rms_norm(in[0], in[1], kEps); });
}

TEST(LayerNorm, MatchesTorchWithWeightAndBias) {
  check_op("lambda x, w, b: F.layer_norm(x, x.shape[-1:], w, b, 1e-5)", norm_cases(2),
           [](const Inputs& in) { return layer_norm(in[0], in[1], in[2], kEps); });
}

TEST(LayerNorm, MatchesTorchWithoutWeightOrBias) {
  check_op("lambda x: F.layer_norm(x, x.shape[-1:], None, None, 1e-5)", norm_cases(0),
           [](const Inputs& in) { return layer_norm(in[0], Tensor(), Tensor(), kEps); });
  check_op("lambda x, w: F.layer_norm(x, x.shape[-1:], w, None, 1e-5)", norm_cases(1),
           [](const Inputs& in) { return layer_norm(in[0], in[1], Tensor(), kEps); });
}

TEST(LayerNorm, GradientOfParametersOnly) {
  check_op(
      "lambda x, w, b: F.layer_norm(x, x.shape[-1:], w, b, 1e-5)",
      {{no_grad(randn({2, 5, 65})), randn({65}), randn({65})}, {randn({3, 17}), no_grad(randn({17})), randn({17})}},
      [](const Inputs& in) { return layer_norm(in[0], in[1], in[2], kEps); });
}

TEST(Norm, ParameterGradientsDoNotDependOnThreadCount) {
  Rng rng(7);
  const Tensor x = randn({7, 129, 65}, rng), dy = randn({7, 129, 65}, rng), w = randn({65}, rng);
  auto grads = [&](int threads) {
    set_num_threads(threads);
    Tensor xr = x.clone(), wr = w.clone(), wl = w.clone(), bl = w.clone();
    xr.set_requires_grad(true);
    wr.set_requires_grad(true);
    wl.set_requires_grad(true);
    bl.set_requires_grad(true);
    autograd::backward(rms_norm(xr, wr, kEps), dy);
    autograd::backward(layer_norm(xr, wl, bl, kEps), dy);
    return std::vector<std::vector<float>>{wr.grad().to_vector(), wl.grad().to_vector(), bl.grad().to_vector(),
                                           xr.grad().to_vector()};
  };
  const int previous = num_threads();
  const auto one = grads(1), three = grads(3);
  set_num_threads(previous);
  for (size_t i = 0; i < one.size(); ++i) EXPECT_EQ(one[i], three[i]) << "gradient " << i;
}

TEST(RmsNorm, WeightOfWrongSizeNamesBothShapes) {
  expect_error(
      [] {
        rms_norm(Tensor::zeros({2, 3, 8}), Tensor::zeros({7}), kEps);
      },
      {"rms_norm: weight of shape (7,)", "(2, 3, 8)", "need (8,)"});
}

TEST(LayerNorm, ParametersOfWrongSizeNameBothShapes) {
  expect_error(
      [] {
        layer_norm(Tensor::zeros({4, 6}), Tensor::zeros({6, 1}), Tensor(), kEps);
      },
      {"layer_norm: weight of shape (6, 1)", "(4, 6)"});
  expect_error(
      [] {
        layer_norm(Tensor::zeros({4, 6}), Tensor::zeros({6}), Tensor::zeros({5}), kEps);
      },
      {"layer_norm: bias of shape (5,)", "need (6,)"});
}

}  // namespace tessera::testing

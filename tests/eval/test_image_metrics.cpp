// PSNR by its formula, SSIM against PyTorch running the paper's definition in float64, code
// usage and perplexity by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "core/rng.h"
#include "eval/image_metrics.h"
#include "support/expect_error.h"
#include "support/torch_oracle.h"

namespace tessera::eval {
namespace {

Tensor pixels(const Shape& shape, Rng& rng) { return rand_uniform(shape, rng, 0, 255); }

// SSIM with an 11x11 Gaussian window (sigma 1.5) by valid 2-D convolutions over each
// (image, channel) plane, C1 = (0.01 * 255)^2, C2 = (0.03 * 255)^2: the paper's definition.
constexpr const char* kTorchSsim =
    "lambda x, y: (lambda w: (lambda mx, my: (lambda vx, vy, cxy: "
    "(((2 * mx * my + 6.5025) * (2 * cxy + 58.5225)) / ((mx ** 2 + my ** 2 + 6.5025) * (vx + vy + 58.5225)))"
    ".mean())(F.conv2d(x * x, w) - mx ** 2, F.conv2d(y * y, w) - my ** 2, F.conv2d(x * y, w) - mx * my))"
    "(F.conv2d(x, w), F.conv2d(y, w)))"
    "((lambda g: (g[:, None] * g[None, :] / g.sum() ** 2)[None, None])"
    "(torch.exp(-(torch.arange(11, dtype=torch.float64) - 5) ** 2 / (2 * 1.5 ** 2))))";

double torch_ssim(const Tensor& a, const Tensor& b) {
  const Shape planes{a.size(0) * a.size(1), 1, a.size(2), a.size(3)};
  const Safetensors out = testing::torch_call("op", {{"in0", a.view(planes)}, {"in1", b.view(planes)}},
                                              {{"expr", kTorchSsim}, {"inputs", "2"}, {"grad", "[]"}});
  return out.get("out").item();
}

TEST(Psnr, IsTheMeanOfEachImagesPsnr) {
  const Tensor a = Tensor::zeros({2, 1, 2, 2});
  const Tensor b = Tensor::from_vector(std::vector<float>{10, 0, 0, 0, 5, 5, 5, 5}, {2, 1, 2, 2});
  // Image 0: MSE 100 / 4 = 25; image 1: MSE 25. Both 10 log10(255^2 / 25).
  EXPECT_NEAR(psnr(a, b), 10 * std::log10(255.0 * 255.0 / 25), 1e-9);
  const Tensor c = Tensor::from_vector(std::vector<float>{0, 0, 0, 0, 1, 1, 1, 1}, {2, 1, 2, 2});
  EXPECT_NEAR(psnr(a, c), (kPsnrOfExactCopy + 10 * std::log10(255.0 * 255.0)) / 2, 1e-9);
  EXPECT_EQ(psnr(a, a), kPsnrOfExactCopy);
}

TEST(Ssim, MatchesTorchOnRandomAndRelatedImages) {
  Rng rng(1);
  const Tensor a = pixels({2, 3, 16, 13}, rng);
  const Tensor b = pixels({2, 3, 16, 13}, rng);
  EXPECT_NEAR(ssim(a, b), torch_ssim(a, b), 1e-5);
  // A noisy copy: SSIM well inside (0, 1).
  const Tensor noisy = Tensor::from_vector(
      [&] {
        std::vector<float> v = a.to_vector();
        for (float& x : v) x = std::clamp(x + 20 * rng.normal(), 0.0f, 255.0f);
        return v;
      }(),
      a.shape());
  const double s = ssim(a, noisy);
  EXPECT_GT(s, 0.3);
  EXPECT_LT(s, 0.99);
  EXPECT_NEAR(s, torch_ssim(a, noisy), 1e-5);
  EXPECT_NEAR(ssim(a, a), 1.0, 1e-12);
}

TEST(Ssim, RefusesImagesSmallerThanTheWindowAndMismatchedShapes) {
  expect_error(
      [] {
        ssim(Tensor::zeros({1, 1, 10, 20}), Tensor::zeros({1, 1, 10, 20}));
      },
      {"ssim: images must be at least 11 x 11", "found 10 x 20"});
  expect_error(
      [] {
        psnr(Tensor::zeros({1, 1, 4, 4}), Tensor::zeros({1, 1, 4, 5}));
      },
      {"psnr", "(1, 1, 4, 4) and (1, 1, 4, 5)"});
}

TEST(CodeUsage, CountsDistinctCodesAndThePerplexityOfTheirFrequencies) {
  const CodeUsage u = code_usage(Tensor::from_vector(std::vector<int32_t>{0, 0, 1, 3}, {2, 2}), 8);
  EXPECT_EQ(u.used, 3);
  EXPECT_EQ(u.vocab_size, 8);
  EXPECT_DOUBLE_EQ(u.share, 3.0 / 8);
  // Frequencies 1/2, 1/4, 1/4: entropy 1.5 ln 2, perplexity 2^1.5.
  EXPECT_NEAR(u.perplexity, std::pow(2.0, 1.5), 1e-12);
  const CodeUsage uniform = code_usage(Tensor::from_vector(std::vector<int32_t>{0, 1, 2, 3}, {4}), 4);
  EXPECT_DOUBLE_EQ(uniform.share, 1.0);
  EXPECT_NEAR(uniform.perplexity, 4.0, 1e-12);
  expect_error(
      [] {
        code_usage(Tensor::from_vector(std::vector<int32_t>{0, 9}, {2}), 8);
      },
      {"code_usage: id 9", "outside [0, 8)"});
}

TEST(ToPixelValues, RoundsAndClampsAsAPngWouldHoldThem) {
  const Tensor unit = Tensor::from_vector(std::vector<float>{-1.5f, -1, 0, 0.999f, 1, 3}, {1, 1, 2, 3});
  EXPECT_EQ(to_pixel_values(unit).to_vector(), (std::vector<float>{0, 0, 128, 255, 255, 255}));
}

}  // namespace
}  // namespace tessera::eval

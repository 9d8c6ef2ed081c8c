#include "eval/image_metrics.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "io/image.h"

namespace tessera::eval {

namespace {

constexpr int64_t kWindow = 11;
constexpr double kSigma = 1.5, kPeak = 255.0;
constexpr double kC1 = (0.01 * kPeak) * (0.01 * kPeak), kC2 = (0.03 * kPeak) * (0.03 * kPeak);

void check_pair(const Tensor& reference, const Tensor& test, const char* what) {
  TESSERA_CHECK(reference.ndim() == 4 && reference.shape() == test.shape(), what,
                ": expected two image batches (N, C, H, W) of one shape, found ", shape_str(reference.shape()), " and ",
                shape_str(test.shape()));
  reference.check_dtype(DType::f32, what);
  test.check_dtype(DType::f32, what);
}

// The 1-D factor of the separable Gaussian window, summing to 1.
std::array<double, kWindow> gaussian() {
  std::array<double, kWindow> g{};
  double total = 0;
  for (int64_t i = 0; i < kWindow; ++i) {
    const double d = static_cast<double>(i - kWindow / 2);
    g[i] = std::exp(-d * d / (2 * kSigma * kSigma));
    total += g[i];
  }
  for (double& v : g) v /= total;
  return g;
}

// The mean SSIM of one (H, W) plane pair over the valid window positions.
double plane_ssim(const float* x, const float* y, int64_t h, int64_t w, const std::array<double, kWindow>& g) {
  const int64_t oh = h - kWindow + 1, ow = w - kWindow + 1;
  // Horizontal pass of the five local sums (x, y, x^2, y^2, xy) over valid columns.
  std::vector<std::array<double, 5>> rows(static_cast<size_t>(h * ow));
  for (int64_t r = 0; r < h; ++r) {
    for (int64_t c = 0; c < ow; ++c) {
      std::array<double, 5> s{};
      for (int64_t k = 0; k < kWindow; ++k) {
        const double a = x[r * w + c + k], b = y[r * w + c + k];
        s[0] += g[k] * a, s[1] += g[k] * b, s[2] += g[k] * a * a, s[3] += g[k] * b * b, s[4] += g[k] * a * b;
      }
      rows[r * ow + c] = s;
    }
  }
  double total = 0;
  for (int64_t r = 0; r < oh; ++r) {
    for (int64_t c = 0; c < ow; ++c) {
      std::array<double, 5> s{};
      for (int64_t k = 0; k < kWindow; ++k) {
        for (int q = 0; q < 5; ++q) s[q] += g[k] * rows[(r + k) * ow + c][q];
      }
      const double mx = s[0], my = s[1];
      const double vx = s[2] - mx * mx, vy = s[3] - my * my, cxy = s[4] - mx * my;
      total += (2 * mx * my + kC1) * (2 * cxy + kC2) / ((mx * mx + my * my + kC1) * (vx + vy + kC2));
    }
  }
  return total / static_cast<double>(oh * ow);
}

}  // namespace

double psnr(const Tensor& reference, const Tensor& test) {
  check_pair(reference, test, "psnr");
  const int64_t n = reference.size(0), per_image = reference.numel() / std::max<int64_t>(n, 1);
  TESSERA_CHECK(n > 0 && per_image > 0, "psnr: no pixels in images of shape ", shape_str(reference.shape()));
  const float* a = reference.data<float>();
  const float* b = test.data<float>();
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    double se = 0;
    for (int64_t j = i * per_image; j < (i + 1) * per_image; ++j) se += (double{a[j]} - b[j]) * (double{a[j]} - b[j]);
    const double mse = se / static_cast<double>(per_image);
    total += mse == 0 ? kPsnrOfExactCopy : std::min(kPsnrOfExactCopy, 10 * std::log10(kPeak * kPeak / mse));
  }
  return total / static_cast<double>(n);
}

double ssim(const Tensor& reference, const Tensor& test) {
  check_pair(reference, test, "ssim");
  const int64_t n = reference.size(0), channels = reference.size(1), h = reference.size(2), w = reference.size(3);
  TESSERA_CHECK(h >= kWindow && w >= kWindow, "ssim: images must be at least ", kWindow, " x ", kWindow,
                " for its Gaussian window, found ", h, " x ", w);
  TESSERA_CHECK(n > 0 && channels > 0, "ssim: no images in a batch of shape ", shape_str(reference.shape()));
  const auto g = gaussian();
  const int64_t planes = n * channels;
  std::vector<double> per_plane(static_cast<size_t>(planes));
#pragma omp parallel for schedule(dynamic)
  for (int64_t p = 0; p < planes; ++p) {
    per_plane[p] = plane_ssim(reference.data<float>() + p * h * w, test.data<float>() + p * h * w, h, w, g);
  }
  // Every image has the same channel count, so the mean over planes is the mean over
  // images of the mean over channels.
  double total = 0;
  for (const double v : per_plane) total += v;
  return total / static_cast<double>(planes);
}

CodeUsage code_usage(const Tensor& ids, int64_t vocab_size) {
  ids.check_dtype(DType::i32, "code_usage ids");
  TESSERA_CHECK(vocab_size > 0, "code_usage: vocabulary size must be positive, found ", vocab_size);
  std::vector<int64_t> counts(static_cast<size_t>(vocab_size));
  const int32_t* id = ids.data<int32_t>();
  for (int64_t i = 0; i < ids.numel(); ++i) {
    TESSERA_CHECK(id[i] >= 0 && id[i] < vocab_size, "code_usage: id ", id[i], " at ", index_str(i, ids.shape()),
                  " is outside [0, ", vocab_size, ")");
    ++counts[id[i]];
  }
  CodeUsage u;
  u.vocab_size = vocab_size;
  double entropy = 0;
  const double total = static_cast<double>(ids.numel());
  for (const int64_t c : counts) {
    if (c == 0) continue;
    ++u.used;
    const double p = static_cast<double>(c) / total;
    entropy -= p * std::log(p);
  }
  u.share = static_cast<double>(u.used) / static_cast<double>(vocab_size);
  u.perplexity = std::exp(entropy);
  return u;
}

Tensor to_pixel_values(const Tensor& unit) {
  TESSERA_CHECK(unit.ndim() == 4, "to_pixel_values: expected images (N, C, H, W), found ", shape_str(unit.shape()));
  const int64_t n = unit.size(0), per_image = unit.numel() / std::max<int64_t>(n, 1);
  const int64_t channels = unit.size(1), plane = unit.size(2) * unit.size(3);
  Tensor out = Tensor::empty(unit.shape());
  for (int64_t i = 0; i < n; ++i) {
    // Through the PNG writer's own conversion, so the metrics see the pixels a file would hold.
    Tensor chw = Tensor::empty({channels, unit.size(2), unit.size(3)});
    std::memcpy(chw.raw(), unit.data<float>() + i * per_image, chw.nbytes());
    const Image image = tensor_to_image(chw);
    float* dst = out.data<float>() + i * per_image;
    for (int64_t p = 0; p < plane; ++p) {
      for (int64_t ch = 0; ch < channels; ++ch) dst[ch * plane + p] = image.pixels[p * channels + ch];
    }
  }
  return out;
}

}  // namespace tessera::eval

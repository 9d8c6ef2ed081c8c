#pragma once
// Reconstruction metrics for image codecs, on pixel values in [0, 255]: images are f32
// (N, C, H, W), compared image by image (reference, test of equal shapes).
//
// PSNR: 10 log10(255^2 / MSE) per image, averaged over images. An exact copy has an
// infinite PSNR; it counts as 100 dB so that one perfect image cannot make the mean
// infinite.
//
// SSIM (Wang, Bovik, Sheikh, Simoncelli 2004, "Image quality assessment: from error
// visibility to structural similarity"): local means, variances and covariance under an
// 11x11 Gaussian window of sigma 1.5 (normalized to sum 1), at every position where the
// window fits inside the image (MATLAB's filter2 'valid', as the paper's own code does),
//   ssim = (2 mu_x mu_y + C1)(2 sigma_xy + C2) / ((mu_x^2 + mu_y^2 + C1)(sigma_x^2 + sigma_y^2 + C2))
// with C1 = (0.01 * 255)^2, C2 = (0.03 * 255)^2 and population (not sample) variances;
// the map's mean per channel, the mean over channels, then over images. Images must be at
// least 11 x 11.
#include <cstdint>

#include "core/tensor.h"

namespace tessera::eval {

inline constexpr double kPsnrOfExactCopy = 100.0;

double psnr(const Tensor& reference, const Tensor& test);
double ssim(const Tensor& reference, const Tensor& test);

// How a codec uses its vocabulary over a set of code ids (i32, any shape).
struct CodeUsage {
  int64_t used = 0;  // distinct codes that occur
  int64_t vocab_size = 0;
  double share = 0;       // used / vocab_size
  double perplexity = 0;  // exp(entropy of the code frequencies, in nats): vocab_size if uniform
};
CodeUsage code_usage(const Tensor& ids, int64_t vocab_size);

// Codec output in [-1, 1] -> the [0, 255] pixel values it would be saved as: round((x + 1) 127.5),
// clamped, as io's tensor_to_image writes a PNG.
Tensor to_pixel_values(const Tensor& unit);

}  // namespace tessera::eval

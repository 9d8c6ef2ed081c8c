#include "kernels/cpu/rope.h"

#include <cmath>
#include <vector>

namespace tessera::kernels::cpu {

namespace {

constexpr int64_t kParallelWork = 32768;  // below it, one thread: waking the team costs more

// Position p = q * kFine + f turns by angle(q * kFine) + angle(f): the coarse angles come
// straight from sin/cos, the kFine fine ones by repeated rotation from 0. This costs about
// T / kFine + kFine library calls per frequency instead of T, with errors below 1e-13
// even at positions around 64k, where a float angle would be off by ~4e-3 rad.
constexpr int64_t kFine = 64;

}  // namespace

void rope_angles(float* cos, float* sin, int64_t start, int64_t T, int64_t D, float theta) {
  const int64_t half = D / 2;
  std::vector<double> inv_freq(half), fine_cos(kFine * half), fine_sin(kFine * half);
  for (int64_t i = 0; i < half; ++i) {
    inv_freq[i] = std::pow(static_cast<double>(theta), -2.0 * static_cast<double>(i) / static_cast<double>(D));
    const double step_cos = std::cos(inv_freq[i]), step_sin = std::sin(inv_freq[i]);
    fine_cos[i] = 1.0;
    fine_sin[i] = 0.0;
    for (int64_t f = 1; f < kFine; ++f) {
      const double c = fine_cos[(f - 1) * half + i], s = fine_sin[(f - 1) * half + i];
      fine_cos[f * half + i] = c * step_cos - s * step_sin;
      fine_sin[f * half + i] = s * step_cos + c * step_sin;
    }
  }
  const int64_t first_q = start / kFine, coarse_count = (start + T - 1) / kFine - first_q + 1;
  std::vector<double> coarse_cos(coarse_count * half), coarse_sin(coarse_count * half);
  for (int64_t q = 0; q < coarse_count; ++q) {
    const double base = static_cast<double>((first_q + q) * kFine);
    for (int64_t i = 0; i < half; ++i) {
      coarse_cos[q * half + i] = std::cos(base * inv_freq[i]);
      coarse_sin[q * half + i] = std::sin(base * inv_freq[i]);
    }
  }
#pragma omp parallel for schedule(static) if (T * half > kParallelWork)
  for (int64_t t = 0; t < T; ++t) {
    const int64_t p = start + t, q = p / kFine - first_q, f = p % kFine;
    const double *cc = &coarse_cos[q * half], *cs = &coarse_sin[q * half];
    const double *fc = &fine_cos[f * half], *fs = &fine_sin[f * half];
#pragma omp simd
    for (int64_t i = 0; i < half; ++i) {
      cos[t * half + i] = static_cast<float>(cc[i] * fc[i] - cs[i] * fs[i]);
      sin[t * half + i] = static_cast<float>(cs[i] * fc[i] + cc[i] * fs[i]);
    }
  }
}

void rope_rotate(float* y, const float* x, const float* cos, const float* sin, int64_t B, int64_t T, int64_t H,
                 int64_t D, bool inverse) {
  const int64_t half = D / 2, rows = B * T * H;
  const float sign = inverse ? -1.0f : 1.0f;
#pragma omp parallel for schedule(static) if (rows * D > kParallelWork)
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t t = (r / H) % T;
    const float *c = cos + t * half, *s = sin + t * half;
    const float* xr = x + r * D;
    float* yr = y + r * D;
#pragma omp simd
    for (int64_t i = 0; i < half; ++i) {
      const float x1 = xr[i], x2 = xr[i + half], si = sign * s[i];
      yr[i] = x1 * c[i] - x2 * si;
      yr[i + half] = x2 * c[i] + x1 * si;
    }
  }
}

}  // namespace tessera::kernels::cpu

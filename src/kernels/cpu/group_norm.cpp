#include "kernels/cpu/group_norm.h"

#include <cmath>
#include <vector>

#include "kernels/cpu/reduce.h"

namespace tessera::kernels::cpu {

namespace {

constexpr int64_t kParallelWork = 32768;  // below it, one thread: waking the team costs more

// A group holds up to C * S elements: each channel's row is summed in float, the rows in
// double, so long groups keep float32 accuracy.
template <class Term>
double sum_over_group(int64_t channels, int64_t S, Term term) {
  double total = 0;
  for (int64_t c = 0; c < channels; ++c) {
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int64_t p = 0; p < S; ++p) s += term(c, p);
    total += s;
  }
  return total;
}

}  // namespace

void group_norm_forward(float* y, float* mean, float* rstd, const float* x, const float* weight, const float* bias,
                        int64_t N, int64_t C, int64_t S, int64_t G, float eps) {
  const int64_t Cg = C / G;
  const double count = static_cast<double>(Cg * S);
#pragma omp parallel for collapse(2) schedule(static) if (N * C * S > kParallelWork)
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t g = 0; g < G; ++g) {
      const int64_t c0 = g * Cg;
      const float* xg = x + (n * C + c0) * S;
      const float mu =
          static_cast<float>(sum_over_group(Cg, S, [=](int64_t c, int64_t p) { return xg[c * S + p]; }) / count);
      // Squares around the mean: no cancellation when |mean| >> std.
      const double squares = sum_over_group(Cg, S, [=](int64_t c, int64_t p) {
        const float d = xg[c * S + p] - mu;
        return d * d;
      });
      const float rs = static_cast<float>(1.0 / std::sqrt(squares / count + eps));
      mean[n * G + g] = mu;
      rstd[n * G + g] = rs;
      for (int64_t c = 0; c < Cg; ++c) {
        // y = x * scale + shift folds the normalization and the affine map into one product.
        const float scale = rs * (weight ? weight[c0 + c] : 1.0f);
        const float shift = (bias ? bias[c0 + c] : 0.0f) - mu * scale;
        const float* xr = xg + c * S;
        float* yr = y + (n * C + c0 + c) * S;
#pragma omp simd
        for (int64_t p = 0; p < S; ++p) yr[p] = xr[p] * scale + shift;
      }
    }
  }
}

void group_norm_backward(float* dx, float* dweight, float* dbias, const float* dy, const float* x, const float* weight,
                         const float* mean, const float* rstd, int64_t N, int64_t C, int64_t S, int64_t G) {
  const int64_t Cg = C / G;
  const float inv_count = 1.0f / static_cast<float>(Cg * S);
  // Per (sample, channel): sum of dy * xhat and of dy. The weight's and bias's gradients
  // are their sums over samples; dx needs their weighted sums over the group.
  std::vector<float> dy_xhat(static_cast<size_t>(N * C)), dy_sum(static_cast<size_t>(N * C));
#pragma omp parallel for collapse(2) schedule(static) if (N * C * S > kParallelWork)
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t g = 0; g < G; ++g) {
      const float mu = mean[n * G + g], rs = rstd[n * G + g];
      double sum_g = 0, sum_gx = 0;  // of g = dy * weight, and of g * xhat, over the group
      for (int64_t c = g * Cg; c < (g + 1) * Cg; ++c) {
        const float *xr = x + (n * C + c) * S, *dyr = dy + (n * C + c) * S;
        float s = 0.0f, sx = 0.0f;
#pragma omp simd reduction(+ : s, sx)
        for (int64_t p = 0; p < S; ++p) {
          s += dyr[p];
          sx += dyr[p] * (xr[p] - mu) * rs;
        }
        dy_sum[n * C + c] = s;
        dy_xhat[n * C + c] = sx;
        const double w = weight ? weight[c] : 1.0;
        sum_g += w * s;
        sum_gx += w * sx;
      }
      if (!dx) continue;
      // With xhat = (x - mean) * rstd: dx = rstd * (g - mean(g) - xhat * mean(g * xhat)).
      const float mean_g = static_cast<float>(sum_g) * inv_count, mean_gx = static_cast<float>(sum_gx) * inv_count;
      for (int64_t c = g * Cg; c < (g + 1) * Cg; ++c) {
        const float w = weight ? weight[c] : 1.0f;
        const float *xr = x + (n * C + c) * S, *dyr = dy + (n * C + c) * S;
        float* dxr = dx + (n * C + c) * S;
#pragma omp simd
        for (int64_t p = 0; p < S; ++p) dxr[p] = rs * (dyr[p] * w - mean_g - (xr[p] - mu) * rs * mean_gx);
      }
    }
  }
  if (dweight) sum_rows(dweight, dy_xhat.data(), N, C);
  if (dbias) sum_rows(dbias, dy_sum.data(), N, C);
}

}  // namespace tessera::kernels::cpu

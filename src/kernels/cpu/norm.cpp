#include "kernels/cpu/norm.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/cpu/reduce.h"

namespace tessera::kernels::cpu {

namespace {

constexpr int64_t kParallelWork = 32768;  // below it, one thread: waking the team costs more

// The backward cuts the rows into blocks whose size depends on the row count alone; each
// block sums its parameter gradients into its own row of partials, and the partials are
// then added in block order. At most kMaxBlocks blocks bound the partials' memory.
constexpr int64_t kMinBlockRows = 32, kMaxBlocks = 256;

struct RowBlocks {
  int64_t size, count;
};

RowBlocks row_blocks(int64_t rows) {
  const int64_t size = std::max(kMinBlockRows, (rows + kMaxBlocks - 1) / kMaxBlocks);
  return {size, (rows + size - 1) / size};
}

// The weight, or ones when there is none, so the loops below have one form.
const float* weight_or(const float* weight, float fill, int64_t C, std::vector<float>& storage) {
  if (weight) return weight;
  storage.assign(static_cast<size_t>(C), fill);
  return storage.data();
}

}  // namespace

void rms_norm_forward(float* y, float* rstd, const float* x, const float* weight, int64_t rows, int64_t C, float eps) {
  std::vector<float> ones;
  const float* w = weight_or(weight, 1.0f, C, ones);
#pragma omp parallel for schedule(static) if (rows * C > kParallelWork)
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * C;
    float* yr = y + r * C;
    float squares = 0.0f;
#pragma omp simd reduction(+ : squares)
    for (int64_t j = 0; j < C; ++j) squares += xr[j] * xr[j];
    const float rs = 1.0f / std::sqrt(squares / static_cast<float>(C) + eps);
    rstd[r] = rs;
#pragma omp simd
    for (int64_t j = 0; j < C; ++j) yr[j] = xr[j] * rs * w[j];
  }
}

void rms_norm_backward(float* dx, float* dweight, const float* dy, const float* x, const float* weight,
                       const float* rstd, int64_t rows, int64_t C) {
  std::vector<float> ones;
  const float* w = weight_or(weight, 1.0f, C, ones);
  const RowBlocks blocks = row_blocks(rows);
  std::vector<float> partial(dweight ? static_cast<size_t>(blocks.count * C) : 0, 0.0f);
#pragma omp parallel for schedule(static) if (rows * C > kParallelWork)
  for (int64_t b = 0; b < blocks.count; ++b) {
    for (int64_t r = b * blocks.size; r < std::min(rows, (b + 1) * blocks.size); ++r) {
      const float *xr = x + r * C, *dyr = dy + r * C;
      const float rs = rstd[r];
      if (dx) {
        // With xhat = x * rs: dx = rs * (dy * w - xhat * mean(dy * w * xhat)).
        float dot = 0.0f;
#pragma omp simd reduction(+ : dot)
        for (int64_t j = 0; j < C; ++j) dot += dyr[j] * w[j] * xr[j];
        const float k = rs * rs * rs * dot / static_cast<float>(C);
        float* dxr = dx + r * C;
#pragma omp simd
        for (int64_t j = 0; j < C; ++j) dxr[j] = rs * dyr[j] * w[j] - k * xr[j];
      }
      if (dweight) {
        float* pw = partial.data() + b * C;
#pragma omp simd
        for (int64_t j = 0; j < C; ++j) pw[j] += dyr[j] * xr[j] * rs;
      }
    }
  }
  if (dweight) sum_rows(dweight, partial.data(), blocks.count, C);
}

void layer_norm_forward(float* y, float* mean, float* rstd, const float* x, const float* weight, const float* bias,
                        int64_t rows, int64_t C, float eps) {
  std::vector<float> ones, zeros;
  const float* w = weight_or(weight, 1.0f, C, ones);
  const float* bb = weight_or(bias, 0.0f, C, zeros);
  const float inv_c = 1.0f / static_cast<float>(C);
#pragma omp parallel for schedule(static) if (rows * C > kParallelWork)
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * C;
    float* yr = y + r * C;
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (int64_t j = 0; j < C; ++j) sum += xr[j];
    const float mu = sum * inv_c;
    float squares = 0.0f;  // around the mean: no cancellation when |mean| >> std
#pragma omp simd reduction(+ : squares)
    for (int64_t j = 0; j < C; ++j) squares += (xr[j] - mu) * (xr[j] - mu);
    const float rs = 1.0f / std::sqrt(squares * inv_c + eps);
    mean[r] = mu;
    rstd[r] = rs;
#pragma omp simd
    for (int64_t j = 0; j < C; ++j) yr[j] = (xr[j] - mu) * rs * w[j] + bb[j];
  }
}

void layer_norm_backward(float* dx, float* dweight, float* dbias, const float* dy, const float* x, const float* weight,
                         const float* mean, const float* rstd, int64_t rows, int64_t C) {
  std::vector<float> ones;
  const float* w = weight_or(weight, 1.0f, C, ones);
  const float inv_c = 1.0f / static_cast<float>(C);
  const RowBlocks blocks = row_blocks(rows);
  const size_t partial_size = static_cast<size_t>(blocks.count * C);
  std::vector<float> partial_w(dweight ? partial_size : 0, 0.0f), partial_b(dbias ? partial_size : 0, 0.0f);
#pragma omp parallel for schedule(static) if (rows * C > kParallelWork)
  for (int64_t b = 0; b < blocks.count; ++b) {
    for (int64_t r = b * blocks.size; r < std::min(rows, (b + 1) * blocks.size); ++r) {
      const float *xr = x + r * C, *dyr = dy + r * C;
      const float mu = mean[r], rs = rstd[r];
      if (dx) {
        // With xhat = (x - mean) * rs and g = dy * w: dx = rs * (g - mean(g) - xhat * mean(g * xhat)).
        float sum_g = 0.0f, sum_gx = 0.0f;
#pragma omp simd reduction(+ : sum_g, sum_gx)
        for (int64_t j = 0; j < C; ++j) {
          const float g = dyr[j] * w[j];
          sum_g += g;
          sum_gx += g * (xr[j] - mu) * rs;
        }
        const float mean_g = sum_g * inv_c, mean_gx = sum_gx * inv_c;
        float* dxr = dx + r * C;
#pragma omp simd
        for (int64_t j = 0; j < C; ++j) dxr[j] = rs * (dyr[j] * w[j] - mean_g - (xr[j] - mu) * rs * mean_gx);
      }
      if (dweight) {
        float* pw = partial_w.data() + b * C;
#pragma omp simd
        for (int64_t j = 0; j < C; ++j) pw[j] += dyr[j] * (xr[j] - mu) * rs;
      }
      if (dbias) {
        float* pb = partial_b.data() + b * C;
#pragma omp simd
        for (int64_t j = 0; j < C; ++j) pb[j] += dyr[j];
      }
    }
  }
  if (dweight) sum_rows(dweight, partial_w.data(), blocks.count, C);
  if (dbias) sum_rows(dbias, partial_b.data(), blocks.count, C);
}

}  // namespace tessera::kernels::cpu

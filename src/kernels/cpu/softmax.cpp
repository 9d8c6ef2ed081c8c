#include "kernels/cpu/softmax.h"

#include <limits>

#include "kernels/cpu/fast_exp.h"

namespace tessera::kernels::cpu {

namespace {

// Below this many elements the rows stay on one thread: waking the team costs more.
constexpr int64_t kParallelWork = 16384;

float row_max(const float* x, int64_t n) {
  float m = -std::numeric_limits<float>::infinity();
#pragma omp simd reduction(max : m)
  for (int64_t i = 0; i < n; ++i) m = x[i] > m ? x[i] : m;  // std::max here would not vectorize
  return m;
}

float row_dot(const float* a, const float* b, int64_t n) {
  float s = 0.0f;
#pragma omp simd reduction(+ : s)
  for (int64_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

}  // namespace

float logsumexp(const float* x, int64_t n) {
  const float m = row_max(x, n);
  if (std::isinf(m)) return m;  // all -inf (log 0), or an inf that dominates everything
  float s = 0.0f;
#pragma omp simd reduction(+ : s)
  for (int64_t i = 0; i < n; ++i) s += exp_vectorizable(x[i] - m);
  return m + std::log(s);
}

void softmax_forward(float* y, const float* x, int64_t rows, int64_t cols) {
#pragma omp parallel for schedule(static) if (rows * cols > kParallelWork)
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    const float m = row_max(xr, cols);
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < cols; ++i) {
      yr[i] = exp_vectorizable(xr[i] - m);
      s += yr[i];
    }
    const float inv = 1.0f / s;
#pragma omp simd
    for (int64_t i = 0; i < cols; ++i) yr[i] *= inv;
  }
}

void softmax_backward(float* dx, const float* dy, const float* y, int64_t rows, int64_t cols) {
#pragma omp parallel for schedule(static) if (rows * cols > kParallelWork)
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t o = r * cols;
    const float dot = row_dot(dy + o, y + o, cols);
#pragma omp simd
    for (int64_t i = 0; i < cols; ++i) dx[o + i] = y[o + i] * (dy[o + i] - dot);
  }
}

void log_softmax_forward(float* y, const float* x, int64_t rows, int64_t cols) {
#pragma omp parallel for schedule(static) if (rows * cols > kParallelWork)
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t o = r * cols;
    const float lse = logsumexp(x + o, cols);
#pragma omp simd
    for (int64_t i = 0; i < cols; ++i) y[o + i] = x[o + i] - lse;
  }
}

void log_softmax_backward(float* dx, const float* dy, const float* y, int64_t rows, int64_t cols) {
#pragma omp parallel for schedule(static) if (rows * cols > kParallelWork)
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t o = r * cols;
    float total = 0.0f;
#pragma omp simd reduction(+ : total)
    for (int64_t i = 0; i < cols; ++i) total += dy[o + i];
#pragma omp simd
    for (int64_t i = 0; i < cols; ++i) dx[o + i] = dy[o + i] - exp_vectorizable(y[o + i]) * total;
  }
}

}  // namespace tessera::kernels::cpu

#include "kernels/cpu/activation.h"

#include <cmath>

#include "kernels/cpu/fast_exp.h"

namespace tessera::kernels::cpu {

namespace {

constexpr int64_t kParallelWork = 16384;  // below it, one thread: waking the team costs more

constexpr float kInvSqrt2 = 0.707106781f, kInvSqrt2Pi = 0.398942280f;
// Tanh approximation: gelu(x) ~ x * sigmoid(2u), u = sqrt(2 / pi) * (x + 0.044715 x^3).
constexpr float kTanhScale = 2.0f * 0.797884561f, kTanhCubic = 0.044715f;

inline float sigmoid(float x) { return 1.0f / (1.0f + exp_vectorizable(-x)); }

// Phi(x), the standard normal CDF, given gauss = e^(-x^2 / 2). erfc(a) for a >= 0 is
// Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7, well inside float32 GELU's
// needs); the tail is formed directly, so Phi(x) for x < 0 suffers no cancellation.
inline float normal_cdf(float x, float gauss) {
  const float a = std::fabs(x) * kInvSqrt2;
  const float t = 1.0f / std::fma(0.3275911f, a, 1.0f);
  float poly = 1.061405429f;
  poly = std::fma(poly, t, -1.453152027f);
  poly = std::fma(poly, t, 1.421413741f);
  poly = std::fma(poly, t, -0.284496736f);
  poly = std::fma(poly, t, 0.254829592f);
  const float upper_tail = 0.5f * poly * t * gauss;  // P(Z > |x|)
  return x >= 0.0f ? 1.0f - upper_tail : upper_tail;
}

inline float gelu_exact(float x) { return x * normal_cdf(x, exp_vectorizable(-0.5f * x * x)); }

inline float gelu_exact_grad(float x) {
  const float gauss = exp_vectorizable(-0.5f * x * x);
  return normal_cdf(x, gauss) + x * kInvSqrt2Pi * gauss;
}

inline float gelu_tanh(float x) { return x * sigmoid(kTanhScale * std::fma(kTanhCubic * x, x * x, x)); }

inline float gelu_tanh_grad(float x) {
  const float s = sigmoid(kTanhScale * std::fma(kTanhCubic * x, x * x, x));
  const float dz = kTanhScale * std::fma(3.0f * kTanhCubic * x, x, 1.0f);
  return s + x * s * (1.0f - s) * dz;
}

// silu'(x) given s = sigmoid(x)
inline float silu_grad(float x, float s) { return s * std::fma(x, 1.0f - s, 1.0f); }

template <bool kGate, bool kUp>
void swiglu_backward_pass(float* dgate, float* dup, const float* dy, const float* gate, const float* up, int64_t n) {
#pragma omp parallel for simd schedule(static) if (n > kParallelWork)
  for (int64_t i = 0; i < n; ++i) {
    const float g = gate[i], s = sigmoid(g);
    if constexpr (kGate) dgate[i] = dy[i] * up[i] * silu_grad(g, s);
    if constexpr (kUp) dup[i] = dy[i] * g * s;
  }
}

}  // namespace

void gelu_forward(float* y, const float* x, int64_t n, bool tanh_approximation) {
  if (tanh_approximation) {
#pragma omp parallel for simd schedule(static) if (n > kParallelWork)
    for (int64_t i = 0; i < n; ++i) y[i] = gelu_tanh(x[i]);
  } else {
#pragma omp parallel for simd schedule(static) if (n > kParallelWork)
    for (int64_t i = 0; i < n; ++i) y[i] = gelu_exact(x[i]);
  }
}

void gelu_backward(float* dx, const float* dy, const float* x, int64_t n, bool tanh_approximation) {
  if (tanh_approximation) {
#pragma omp parallel for simd schedule(static) if (n > kParallelWork)
    for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * gelu_tanh_grad(x[i]);
  } else {
#pragma omp parallel for simd schedule(static) if (n > kParallelWork)
    for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * gelu_exact_grad(x[i]);
  }
}

void silu_forward(float* y, const float* x, int64_t n) {
#pragma omp parallel for simd schedule(static) if (n > kParallelWork)
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * sigmoid(x[i]);
}

void silu_backward(float* dx, const float* dy, const float* x, int64_t n) {
#pragma omp parallel for simd schedule(static) if (n > kParallelWork)
  for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * silu_grad(x[i], sigmoid(x[i]));
}

void swiglu_forward(float* y, const float* gate, const float* up, int64_t n) {
#pragma omp parallel for simd schedule(static) if (n > kParallelWork)
  for (int64_t i = 0; i < n; ++i) y[i] = gate[i] * sigmoid(gate[i]) * up[i];
}

void swiglu_backward(float* dgate, float* dup, const float* dy, const float* gate, const float* up, int64_t n) {
  if (dgate && dup) {
    swiglu_backward_pass<true, true>(dgate, dup, dy, gate, up, n);
  } else if (dgate) {
    swiglu_backward_pass<true, false>(dgate, dup, dy, gate, up, n);
  } else if (dup) {
    swiglu_backward_pass<false, true>(dgate, dup, dy, gate, up, n);
  }
}

void tanh_forward(float* y, const float* x, int64_t n) {
#pragma omp parallel for simd schedule(static) if (n > kParallelWork)
  for (int64_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
}

void tanh_backward(float* dx, const float* dy, const float* y, int64_t n) {
#pragma omp parallel for simd schedule(static) if (n > kParallelWork)
  for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}

void sigmoid_forward(float* y, const float* x, int64_t n) {
#pragma omp parallel for simd schedule(static) if (n > kParallelWork)
  for (int64_t i = 0; i < n; ++i) y[i] = sigmoid(x[i]);
}

void sigmoid_backward(float* dx, const float* dy, const float* y, int64_t n) {
#pragma omp parallel for simd schedule(static) if (n > kParallelWork)
  for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * y[i] * (1.0f - y[i]);
}

void leaky_relu_forward(float* y, const float* x, int64_t n, float slope) {
#pragma omp parallel for simd schedule(static) if (n > kParallelWork)
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] >= 0.0f ? x[i] : slope * x[i];
}

void leaky_relu_backward(float* dx, const float* dy, const float* x, int64_t n, float slope) {
#pragma omp parallel for simd schedule(static) if (n > kParallelWork)
  for (int64_t i = 0; i < n; ++i) dx[i] = x[i] >= 0.0f ? dy[i] : slope * dy[i];
}

}  // namespace tessera::kernels::cpu

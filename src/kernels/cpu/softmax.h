#pragma once
// Softmax and log-softmax over the last dimension, and the branch-free e^x they (and the
// activations and cross-entropy built on them) use so that their loops vectorize.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

namespace tessera::kernels::cpu {

// e^x to about 1 ulp, without branches or library calls, so a loop over it compiles to
// vector instructions. Below ln(FLT_MIN) it returns 0 and above 87 it saturates at
// e^87 ~ 6e37, so neither it nor 1 / (1 + e^x) ever produces a (slow) denormal; the
// callers pass x <= 0 or only need 1 / (1 + e^x).
inline float exp_vectorizable(float x) {
  constexpr float kMin = -87.336544f, kMax = 87.0f;
  constexpr float kLog2e = 1.44269504f;
  // ln 2 split in two: the high part has few mantissa bits, so n * kLn2Hi is exact.
  constexpr float kLn2Hi = 0.693145751953125f, kLn2Lo = 1.42860677e-06f;
  constexpr float kRound = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  const float clamped = std::min(std::max(x, kMin), kMax);
  const float n = (clamped * kLog2e + kRound) - kRound;
  const float r = std::fma(n, -kLn2Lo, std::fma(n, -kLn2Hi, clamped));  // |r| <= ln(2) / 2
  // Taylor series of e^r to degree 7: truncation error below 1e-8 on |r| <= ln(2) / 2.
  float p = 1.0f / 5040;
  p = std::fma(p, r, 1.0f / 720);
  p = std::fma(p, r, 1.0f / 120);
  p = std::fma(p, r, 1.0f / 24);
  p = std::fma(p, r, 1.0f / 6);
  p = std::fma(p, r, 0.5f);
  p = std::fma(p, r, 1.0f);
  p = std::fma(p, r, 1.0f);
  const float two_to_n = std::bit_cast<float>((static_cast<int32_t>(n) + 127) << 23);
  return x < kMin ? 0.0f : p * two_to_n;
}

// log(sum_i e^x[i]), stable for any magnitude. x: (n), n >= 1
float logsumexp(const float* x, int64_t n);

// y: (rows, cols) = softmax of x: (rows, cols) over cols
void softmax_forward(float* y, const float* x, int64_t rows, int64_t cols);
// dx = y * (dy - sum(dy * y)) per row. dx, dy, y: (rows, cols)
void softmax_backward(float* dx, const float* dy, const float* y, int64_t rows, int64_t cols);

// y: (rows, cols) = x - logsumexp(x) per row. x: (rows, cols)
void log_softmax_forward(float* y, const float* x, int64_t rows, int64_t cols);
// dx = dy - e^y * sum(dy) per row. dx, dy, y: (rows, cols)
void log_softmax_backward(float* dx, const float* dy, const float* y, int64_t rows, int64_t cols);

}  // namespace tessera::kernels::cpu

#pragma once
// The branch-free e^x of the kernels whose loops must vectorize (softmax, cross-entropy,
// the activations). Kernels written on explicit vectors use Vec16's exp2 (simd16.h).
#include <bit>
#include <cmath>
#include <cstdint>

namespace tessera::kernels::cpu {

// e^x to about 1 ulp, without branches or library calls, so a loop over it compiles to
// vector instructions. Results below ~2^-125.5 are flushed to 0 and results above e^87
// saturate at e^87 ~ 6e37, so neither it nor 1 / (1 + e^x) ever produces a (slow)
// denormal; the callers pass x <= 0 or only need 1 / (1 + e^x). NaN stays NaN.
inline float exp_vectorizable(float x) {
  // Clamped so that n = round(x / ln 2) lies in [-128, 126]: e^x = 2^n * e^r, |r| <= ln(2) / 2.
  constexpr float kLow = -88.5f, kHigh = 87.0f;
  constexpr float kLog2e = 1.44269504f;
  // ln 2 split in two: the high part has few mantissa bits, so n * kLn2Hi is exact.
  constexpr float kLn2Hi = 0.693145751953125f, kLn2Lo = 1.42860677e-06f;
  constexpr float kRound = 12582912.0f;         // 1.5 * 2^23: adding it rounds to an integer
  const float above_low = x < kLow ? kLow : x;  // written so that NaN passes through
  const float clamped = above_low > kHigh ? kHigh : above_low;
  const float n = (clamped * kLog2e + kRound) - kRound;
  const float r = std::fma(n, -kLn2Lo, std::fma(n, -kLn2Hi, clamped));
  // Taylor series of e^r to degree 7: truncation error below 1e-8 on |r| <= ln(2) / 2.
  float p = 1.0f / 5040;
  p = std::fma(p, r, 1.0f / 720);
  p = std::fma(p, r, 1.0f / 120);
  p = std::fma(p, r, 1.0f / 24);
  p = std::fma(p, r, 1.0f / 6);
  p = std::fma(p, r, 0.5f);
  p = std::fma(p, r, 1.0f);
  p = std::fma(p, r, 1.0f);
  // 2^n from its exponent field. n <= -126 gives 0: there 2^n * e^r (e^r >= 1/sqrt(2)) could
  // fall below FLT_MIN and come out denormal.
  const int32_t field = static_cast<int32_t>(n) + 127;
  return p * std::bit_cast<float>((field > 1 ? field : 0) << 23);
}

}  // namespace tessera::kernels::cpu

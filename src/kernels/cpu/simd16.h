#pragma once
// Vec16: sixteen floats handled as one value, the unit of the register-blocked tile
// kernels. One AVX-512 register where the compiler targets AVX-512, two AVX2 registers
// where it targets AVX2 with FMA, and a plain array otherwise, so the kernels are
// written once and stay portable. Explicit fused multiply-adds, because ISO C++ mode
// does not let the compiler contract a * b + c on its own.
#include <cmath>
#include <cstdint>

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
// GCC 12 reports the deliberately undefined pass-through operand inside its AVX-512
// intrinsics as (maybe) uninitialized once they are inlined (a known false positive).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#endif

namespace tessera::kernels::cpu {

#if defined(__AVX512F__)

struct Vec16 {
  __m512 v;
  static Vec16 load(const float* p) { return {_mm512_loadu_ps(p)}; }
  // The 16 floats at p + Shift (0 <= Shift < 16), given here = load(p) and next =
  // load(p + 16): taken from the two registers, where a load from p + Shift would straddle
  // two cache lines whenever p is aligned.
  template <int Shift>
  static Vec16 load_shifted(const float*, Vec16 here, Vec16 next) {
    return {_mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(next.v), _mm512_castps_si512(here.v), Shift))};
  }
  static Vec16 broadcast(float x) { return {_mm512_set1_ps(x)}; }
  static Vec16 zero() { return {_mm512_setzero_ps()}; }
  void store(float* p) const { _mm512_storeu_ps(p, v); }
  friend Vec16 operator+(Vec16 a, Vec16 b) { return {_mm512_add_ps(a.v, b.v)}; }
  friend Vec16 operator-(Vec16 a, Vec16 b) { return {_mm512_sub_ps(a.v, b.v)}; }
  friend Vec16 operator*(Vec16 a, Vec16 b) { return {_mm512_mul_ps(a.v, b.v)}; }
  friend Vec16 fma(Vec16 a, Vec16 b, Vec16 c) { return {_mm512_fmadd_ps(a.v, b.v, c.v)}; }  // a * b + c
  friend Vec16 max(Vec16 a, Vec16 b) { return {_mm512_max_ps(a.v, b.v)}; }
  friend Vec16 min(Vec16 a, Vec16 b) { return {_mm512_min_ps(a.v, b.v)}; }
  friend Vec16 round_nearest(Vec16 a) { return {_mm512_roundscale_ps(a.v, _MM_FROUND_TO_NEAREST_INT)}; }
  // 2^n for whole numbers n in [-127, 128], built in the exponent field (2^-127 gives 0).
  friend Vec16 pow2_whole(Vec16 n) {
    const __m512i biased = _mm512_add_epi32(_mm512_cvtps_epi32(n.v), _mm512_set1_epi32(127));
    return {_mm512_castsi512_ps(_mm512_sllv_epi32(biased, _mm512_set1_epi32(23)))};
  }
  float sum() const { return _mm512_reduce_add_ps(v); }
};

// dst (16, 16) with row stride ld_dst = src^T for src (16, 16) with row stride ld_src:
// three rounds of shuffles (pairs of rows, quads, then 128-bit lanes).
inline void transpose16x16(const float* src, int64_t ld_src, float* dst, int64_t ld_dst) {
  __m512 r[16], t[16];
  for (int i = 0; i < 16; ++i) r[i] = _mm512_loadu_ps(src + i * ld_src);
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  // r[4k + c] now holds, in 128-bit lane L, column c + 4L of rows 4k .. 4k + 3.
  for (int k = 0; k < 16; k += 4) {
    r[k] = _mm512_shuffle_ps(t[k], t[k + 2], 0x44);
    r[k + 1] = _mm512_shuffle_ps(t[k], t[k + 2], 0xEE);
    r[k + 2] = _mm512_shuffle_ps(t[k + 1], t[k + 3], 0x44);
    r[k + 3] = _mm512_shuffle_ps(t[k + 1], t[k + 3], 0xEE);
  }
  for (int c = 0; c < 4; ++c) {
    const __m512 e0 = _mm512_shuffle_f32x4(r[c], r[4 + c], 0x44), e1 = _mm512_shuffle_f32x4(r[c], r[4 + c], 0xEE);
    const __m512 e2 = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0x44);
    const __m512 e3 = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0xEE);
    _mm512_storeu_ps(dst + c * ld_dst, _mm512_shuffle_f32x4(e0, e2, 0x88));
    _mm512_storeu_ps(dst + (c + 4) * ld_dst, _mm512_shuffle_f32x4(e0, e2, 0xDD));
    _mm512_storeu_ps(dst + (c + 8) * ld_dst, _mm512_shuffle_f32x4(e1, e3, 0x88));
    _mm512_storeu_ps(dst + (c + 12) * ld_dst, _mm512_shuffle_f32x4(e1, e3, 0xDD));
  }
}

#elif defined(__AVX2__) && defined(__FMA__)

struct Vec16 {
  __m256 lo, hi;
  static Vec16 load(const float* p) { return {_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8)}; }
  template <int Shift>  // as the AVX-512 one; AVX2 has no shift across its 256-bit halves
  static Vec16 load_shifted(const float* p, Vec16, Vec16) {
    return load(p + Shift);
  }
  static Vec16 broadcast(float x) { return {_mm256_set1_ps(x), _mm256_set1_ps(x)}; }
  static Vec16 zero() { return {_mm256_setzero_ps(), _mm256_setzero_ps()}; }
  void store(float* p) const {
    _mm256_storeu_ps(p, lo);
    _mm256_storeu_ps(p + 8, hi);
  }
  friend Vec16 operator+(Vec16 a, Vec16 b) { return {_mm256_add_ps(a.lo, b.lo), _mm256_add_ps(a.hi, b.hi)}; }
  friend Vec16 operator-(Vec16 a, Vec16 b) { return {_mm256_sub_ps(a.lo, b.lo), _mm256_sub_ps(a.hi, b.hi)}; }
  friend Vec16 operator*(Vec16 a, Vec16 b) { return {_mm256_mul_ps(a.lo, b.lo), _mm256_mul_ps(a.hi, b.hi)}; }
  friend Vec16 fma(Vec16 a, Vec16 b, Vec16 c) {
    return {_mm256_fmadd_ps(a.lo, b.lo, c.lo), _mm256_fmadd_ps(a.hi, b.hi, c.hi)};
  }
  friend Vec16 max(Vec16 a, Vec16 b) { return {_mm256_max_ps(a.lo, b.lo), _mm256_max_ps(a.hi, b.hi)}; }
  friend Vec16 min(Vec16 a, Vec16 b) { return {_mm256_min_ps(a.lo, b.lo), _mm256_min_ps(a.hi, b.hi)}; }
  friend Vec16 round_nearest(Vec16 a) {
    constexpr int mode = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
    return {_mm256_round_ps(a.lo, mode), _mm256_round_ps(a.hi, mode)};
  }
  friend Vec16 pow2_whole(Vec16 n) {
    const __m256i bias = _mm256_set1_epi32(127);
    const __m256i lo = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n.lo), bias), 23);
    const __m256i hi = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n.hi), bias), 23);
    return {_mm256_castsi256_ps(lo), _mm256_castsi256_ps(hi)};
  }
  float sum() const {
    const __m256 s = _mm256_add_ps(lo, hi);
    __m128 x = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
    x = _mm_add_ps(x, _mm_movehl_ps(x, x));
    x = _mm_add_ss(x, _mm_movehdup_ps(x));
    return _mm_cvtss_f32(x);
  }
};

#else

struct Vec16 {
  float v[16];
  template <class F>
  static Vec16 map(F f) {
    Vec16 r;
    for (int i = 0; i < 16; ++i) r.v[i] = f(i);
    return r;
  }
  static Vec16 load(const float* p) {
    return map([p](int i) { return p[i]; });
  }
  template <int Shift>  // as the AVX-512 one
  static Vec16 load_shifted(const float* p, Vec16, Vec16) {
    return load(p + Shift);
  }
  static Vec16 broadcast(float x) {
    return map([x](int) { return x; });
  }
  static Vec16 zero() { return broadcast(0.0f); }
  void store(float* p) const {
    for (int i = 0; i < 16; ++i) p[i] = v[i];
  }
  friend Vec16 operator+(Vec16 a, Vec16 b) {
    return map([&](int i) { return a.v[i] + b.v[i]; });
  }
  friend Vec16 operator-(Vec16 a, Vec16 b) {
    return map([&](int i) { return a.v[i] - b.v[i]; });
  }
  friend Vec16 operator*(Vec16 a, Vec16 b) {
    return map([&](int i) { return a.v[i] * b.v[i]; });
  }
  friend Vec16 fma(Vec16 a, Vec16 b, Vec16 c) {
    return map([&](int i) { return std::fma(a.v[i], b.v[i], c.v[i]); });
  }
  // Like the x86 instructions: b when either is NaN.
  friend Vec16 max(Vec16 a, Vec16 b) {
    return map([&](int i) { return a.v[i] > b.v[i] ? a.v[i] : b.v[i]; });
  }
  friend Vec16 min(Vec16 a, Vec16 b) {
    return map([&](int i) { return a.v[i] < b.v[i] ? a.v[i] : b.v[i]; });
  }
  friend Vec16 round_nearest(Vec16 a) {
    return map([&](int i) { return std::nearbyint(a.v[i]); });
  }
  friend Vec16 pow2_whole(Vec16 n) {
    // NaN takes the 0 branch (no conversion of NaN to int); p * 0 is still NaN then.
    return map([&](int i) { return n.v[i] > -127.0f ? std::ldexp(1.0f, static_cast<int>(n.v[i])) : 0.0f; });
  }
  float sum() const {
    float s = 0.0f;
    for (int i = 0; i < 16; ++i) s += v[i];
    return s;
  }
};

#endif

#if !defined(__AVX512F__)
// dst (16, 16) with row stride ld_dst = src^T for src (16, 16) with row stride ld_src.
inline void transpose16x16(const float* src, int64_t ld_src, float* dst, int64_t ld_dst) {
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 16; ++j) dst[j * ld_dst + i] = src[i * ld_src + j];
}
#endif

// 2^x to about 2 ulp; exactly 0 from -126.5 down (and for -inf), so masked scores vanish;
// NaN stays NaN. x = n + r with n whole and |r| <= 1/2; 2^r by its Taylor series in
// r ln 2 to degree 7.
inline Vec16 exp2(Vec16 x) {
  // max and min return their second operand when one is NaN: x goes second.
  x = min(Vec16::broadcast(128.0f), max(Vec16::broadcast(-127.0f), x));
  const Vec16 n = round_nearest(x);
  const Vec16 r = x - n;
  const float c[] = {1.0f / 5040, 1.0f / 720, 1.0f / 120, 1.0f / 24, 1.0f / 6, 1.0f / 2, 1.0f, 1.0f};
  const Vec16 t = r * Vec16::broadcast(0.6931471805599453f);
  Vec16 p = Vec16::broadcast(c[0]);
  for (int i = 1; i < 8; ++i) p = fma(p, t, Vec16::broadcast(c[i]));
  return p * pow2_whole(n);
}

}  // namespace tessera::kernels::cpu

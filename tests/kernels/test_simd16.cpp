#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "kernels/cpu/simd16.h"

namespace tessera::kernels::cpu {
namespace {

std::vector<float> exp2_of(const std::vector<float>& x) {
  std::vector<float> y(x.size());
  for (size_t i = 0; i < x.size(); i += 16) exp2(Vec16::load(x.data() + i)).store(y.data() + i);
  return y;
}

TEST(Simd16, Exp2WithinTwoUlpOverTheNormalRange) {
  std::vector<float> x;
  for (float t = -126.0f; t <= 127.0f; t += 0.0137f) x.push_back(t);
  while (x.size() % 16 != 0) x.push_back(0.5f);
  const std::vector<float> y = exp2_of(x);
  for (size_t i = 0; i < x.size(); ++i) {
    const double exact = std::exp2(static_cast<double>(x[i]));
    const double ulp = std::nextafter(static_cast<float>(exact), INFINITY) - static_cast<float>(exact);
    EXPECT_LE(std::fabs(y[i] - exact), 2 * ulp) << "exp2(" << x[i] << ")";
  }
}

TEST(Simd16, Exp2OfVeryNegativeIsZeroAndOfNanIsNan) {
  constexpr float inf = std::numeric_limits<float>::infinity();
  std::vector<float> x = {-inf, -1e30f, -1000.0f, -127.0f, -126.6f, 0.0f, 1.0f, -1.0f, NAN};
  x.resize(16, 3.0f);
  const std::vector<float> y = exp2_of(x);
  EXPECT_TRUE(std::isnan(y[8])) << "exp2(NaN) = " << y[8];
  for (int i = 0; i < 5; ++i) EXPECT_EQ(y[i], 0.0f) << "exp2(" << x[i] << ")";
  EXPECT_EQ(y[5], 1.0f);
  EXPECT_EQ(y[6], 2.0f);
  EXPECT_EQ(y[7], 0.5f);
}

TEST(Simd16, ArithmeticAndSum) {
  std::vector<float> a(16), b(16), c(16), out(16);
  for (int i = 0; i < 16; ++i) {
    a[i] = static_cast<float>(i) - 7.5f;
    b[i] = 0.25f * static_cast<float>(i);
    c[i] = 3.0f - static_cast<float>(i);
  }
  const Vec16 va = Vec16::load(a.data()), vb = Vec16::load(b.data()), vc = Vec16::load(c.data());
  fma(va, vb, vc).store(out.data());
  for (int i = 0; i < 16; ++i) EXPECT_EQ(out[i], std::fma(a[i], b[i], c[i]));
  max(va - vb, vc * vb).store(out.data());
  for (int i = 0; i < 16; ++i) EXPECT_EQ(out[i], std::max(a[i] - b[i], c[i] * b[i]));
  float total = 0;
  for (float x : a) total += x;
  EXPECT_EQ((va + Vec16::broadcast(1.0f)).sum(), total + 16.0f);
}

TEST(Simd16, TransposeRespectsStrides) {
  constexpr int64_t ld_src = 19, ld_dst = 21;
  std::vector<float> src(16 * ld_src), dst(16 * ld_dst, -1.0f);
  for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<float>(i);
  transpose16x16(src.data(), ld_src, dst.data(), ld_dst);
  for (int64_t i = 0; i < 16; ++i) {
    for (int64_t j = 0; j < ld_dst; ++j) {
      const float expected = j < 16 ? src[j * ld_src + i] : -1.0f;  // beyond 16 columns: untouched
      EXPECT_EQ(dst[i * ld_dst + j], expected) << "row " << i << " column " << j;
    }
  }
}

}  // namespace
}  // namespace tessera::kernels::cpu

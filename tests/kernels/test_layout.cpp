#include <gtest/gtest.h>

#include <numeric>

#include "core/rng.h"
#include "kernels/cpu/layout.h"

namespace tessera::kernels::cpu {

namespace {

// The permute by its definition, one element at a time.
template <class T>
std::vector<T> naive_permute(const std::vector<T>& x, const std::vector<int64_t>& shape, const std::vector<int>& axes) {
  const size_t n = shape.size();
  std::vector<int64_t> in_strides(n, 1), out_shape(n);
  for (size_t k = n; k-- > 1;) in_strides[k - 1] = in_strides[k] * shape[k];
  for (size_t i = 0; i < n; ++i) out_shape[i] = shape[axes[i]];
  std::vector<T> out(x.size());
  for (size_t flat = 0; flat < out.size(); ++flat) {
    int64_t rest = static_cast<int64_t>(flat), offset = 0;
    for (size_t i = n; i-- > 0;) {
      offset += (rest % out_shape[i]) * in_strides[axes[i]];
      rest /= out_shape[i];
    }
    out[flat] = x[offset];
  }
  return out;
}

template <class T>
void check_random_permutes(uint64_t seed) {
  Rng rng(seed);
  for (int trial = 0; trial < 40; ++trial) {
    const size_t n = 1 + rng.below(5);
    std::vector<int64_t> shape(n);
    const int64_t sizes[] = {1, 2, 3, 17, 33, 65};
    for (auto& d : shape) d = sizes[rng.below(6)];
    std::vector<int> axes(n);
    std::iota(axes.begin(), axes.end(), 0);
    for (size_t i = n; i-- > 1;) std::swap(axes[i], axes[rng.below(static_cast<int64_t>(i + 1))]);
    int64_t total = 1;
    for (int64_t d : shape) total *= d;
    if (total > 300000) continue;
    std::vector<T> x(static_cast<size_t>(total));
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<T>(rng.next_u64());
    std::vector<T> out(x.size());
    permute(out.data(), x.data(), shape, axes, sizeof(T));
    ASSERT_EQ(out, naive_permute(x, shape, axes)) << "trial " << trial;
  }
}

}  // namespace

TEST(Permute, MatchesTheDefinitionForEveryElementSize) {
  check_random_permutes<uint8_t>(1);
  check_random_permutes<uint16_t>(2);
  check_random_permutes<uint32_t>(3);
  check_random_permutes<uint64_t>(4);
}

TEST(PlaceRows, ZeroesAroundTheSource) {
  const std::vector<char> src = {1, 2, 3, 4};
  std::vector<char> dst(10, 9);
  place_rows(dst.data(), 5, src.data(), 2, 1, 2);
  EXPECT_EQ(dst, (std::vector<char>{0, 1, 2, 0, 0, 0, 3, 4, 0, 0}));
}

}  // namespace tessera::kernels::cpu

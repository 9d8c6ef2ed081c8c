#include <gtest/gtest.h>

#include <cmath>

#include "core/rng.h"
#include "core/threads.h"
#include "kernels/cpu/reduce.h"

namespace tessera::kernels::cpu {

// The gradient norm that clipping and the training log use must not change with the
// thread count, or a resumed run on another machine would diverge.
TEST(SumOfSquares, SameBitsWhateverTheThreadCountAndExact) {
  const int saved = num_threads();
  Rng rng(3);
  const Tensor x = randn({5 * kSumBlock + 17}, rng);
  std::vector<double> results;
  for (int threads : {1, 2, 3}) {
    set_num_threads(threads);
    results.push_back(sum_of_squares(x.data<float>(), x.numel()));
  }
  set_num_threads(saved);
  EXPECT_EQ(results[0], results[1]);
  EXPECT_EQ(results[0], results[2]);
  long double exact = 0;
  for (float v : x.to_vector()) exact += static_cast<long double>(v) * v;
  EXPECT_NEAR(results[0], static_cast<double>(exact), 1e-12 * static_cast<double>(exact));
}

TEST(SumRows, SumsEachColumn) {
  const std::vector<float> x = {1, 2, 3, 4, 5, 6};  // (2, 3)
  std::vector<float> out(3);
  sum_rows(out.data(), x.data(), 2, 3);
  EXPECT_EQ(out, (std::vector<float>{5, 7, 9}));
  std::vector<float> none = {1, 1, 1};
  sum_rows(none.data(), x.data(), 0, 3);  // no rows: a sum of nothing
  EXPECT_EQ(none, (std::vector<float>{0, 0, 0}));
  std::vector<float> one(1);
  sum_rows(one.data(), x.data(), 6, 1);
  EXPECT_EQ(one, (std::vector<float>{21}));
}

}  // namespace tessera::kernels::cpu

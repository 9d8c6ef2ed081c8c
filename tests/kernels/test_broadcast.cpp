#include <gtest/gtest.h>

#include "core/rng.h"
#include "core/threads.h"
#include "kernels/cpu/broadcast.h"

namespace tessera::kernels::cpu {

TEST(PlanBroadcast, MergesDimensionsLaidOutAlike) {
  const BroadcastPlan same = plan_broadcast({4, 256, 512}, {4, 256, 512}, {4, 256, 512});
  EXPECT_EQ(same.dims, (std::vector<int64_t>{4 * 256 * 512}));
  const BroadcastPlan bias = plan_broadcast({4, 256, 512}, {4, 256, 512}, {512});
  EXPECT_EQ(bias.dims, (std::vector<int64_t>{4 * 256, 512}));
  EXPECT_EQ(bias.b_strides, (std::vector<int64_t>{0, 1}));
  const BroadcastPlan rows = plan_broadcast({4, 256, 512}, {4, 1, 512}, {1, 256, 512});
  EXPECT_EQ(rows.dims, (std::vector<int64_t>{4, 256, 512}));
  EXPECT_EQ(rows.a_strides, (std::vector<int64_t>{512, 0, 1}));
  EXPECT_EQ(rows.b_strides, (std::vector<int64_t>{0, 512, 1}));
  const BroadcastPlan scalar = plan_broadcast({1, 1}, {}, {1, 1});
  EXPECT_EQ(scalar.dims, (std::vector<int64_t>{1}));
}

TEST(PlanReduce, MergesKeptAndSummedRuns) {
  const ReducePlan bias = plan_reduce({4, 256, 512}, {512});
  EXPECT_EQ(bias.dims, (std::vector<int64_t>{4 * 256, 512}));
  EXPECT_EQ(bias.keep, (std::vector<bool>{false, true}));
  const ReducePlan last = plan_reduce({4, 256, 512}, {4, 256, 1});
  EXPECT_EQ(last.dims, (std::vector<int64_t>{4 * 256, 512}));
  EXPECT_EQ(last.keep, (std::vector<bool>{true, false}));
}

// Every output element is summed in one fixed order, so the thread count cannot change a bit.
TEST(SumToShape, SameBitsWhateverTheThreadCount) {
  const int saved = num_threads();
  Rng rng(9);
  const Shape full = {16, 129, 257};
  const Tensor x = randn(full, rng), y = randn(full, rng);
  for (const Shape& target :
       {Shape{}, Shape{257}, Shape{16, 1, 257}, Shape{16, 129, 1}, Shape{129, 1}, Shape{129, 257}}) {
    const ReducePlan plan = plan_reduce(full, target);
    std::vector<std::vector<float>> results;
    for (int threads : {1, 2, 3}) {
      set_num_threads(threads);
      Tensor out = Tensor::empty(target);
      sum_to_shape(plan, x.data<float>(), y.data<float>(), 0.5f, out.data<float>());
      results.push_back(out.to_vector());
    }
    EXPECT_EQ(results[0], results[1]) << shape_str(target);
    EXPECT_EQ(results[0], results[2]) << shape_str(target);
  }
  set_num_threads(saved);
}

}  // namespace tessera::kernels::cpu

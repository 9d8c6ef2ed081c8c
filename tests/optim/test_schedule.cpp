#include <gtest/gtest.h>

#include <cmath>

#include "optim/schedule.h"
#include "support/expect_error.h"

namespace tessera::optim {
namespace {

// The schedule written out from its definition, in double.
double expected_lr(double max_lr, double min_lr, int64_t warmup, int64_t total, int64_t step) {
  if (step < warmup) return max_lr * (step + 1) / warmup;
  if (step >= total) return min_lr;
  const double pi = std::acos(-1.0);
  return min_lr + 0.5 * (max_lr - min_lr) * (1 + std::cos(pi * (step - warmup) / (total - warmup)));
}

TEST(CosineSchedule, FollowsTheFormulaAtEveryStep) {
  for (const CosineSchedule& s : {CosineSchedule{6e-4f, 6e-5f, 10, 100}, CosineSchedule{1.0f, 0.0f, 0, 7},
                                  CosineSchedule{3e-3f, 3e-3f, 5, 5}, CosineSchedule{1e-2f, 1e-3f, 1, 2}}) {
    for (int64_t step = 0; step < s.total + 10; ++step) {
      EXPECT_NEAR(s.at(step), expected_lr(s.max_lr, s.min_lr, s.warmup, s.total, step), 1e-6 * s.max_lr)
          << "step " << step << " of warmup " << s.warmup << ", total " << s.total;
    }
  }
}

TEST(CosineSchedule, Landmarks) {
  const CosineSchedule s{1.0f, 0.1f, 10, 110};
  EXPECT_FLOAT_EQ(s.at(0), 0.1f);  // the first warmup step is not zero
  EXPECT_FLOAT_EQ(s.at(4), 0.5f);
  EXPECT_FLOAT_EQ(s.at(9), 1.0f);     // warmup ends at the peak
  EXPECT_FLOAT_EQ(s.at(10), 1.0f);    // the decay starts from it
  EXPECT_FLOAT_EQ(s.at(60), 0.55f);   // halfway: the mean of peak and end
  EXPECT_FLOAT_EQ(s.at(110), 0.1f);   // the end
  EXPECT_FLOAT_EQ(s.at(5000), 0.1f);  // and after it
  for (int64_t step = 10; step < 110; ++step) EXPECT_GE(s.at(step), s.at(step + 1)) << step;
}

TEST(CosineSchedule, InvalidStepsAndSettingsAreErrors) {
  expect_error([] { CosineSchedule{1, 0, 10, 100}.at(-1); }, {"step -1 is negative"});
  expect_error([] { CosineSchedule{1, 0, 10, 5}.at(7); }, {"0 <= warmup <= total", "warmup 10", "total 5"});
  expect_error([] { CosineSchedule{1, 0, -1, 5}.at(0); }, {"warmup -1"});
}

TEST(StepsWithinBudget, PlansTheStepsTheRemainingTimeHolds) {
  EXPECT_EQ(steps_within_budget(10, 5.0, 0, 1000), 1000);       // no budget
  EXPECT_EQ(steps_within_budget(10, 5.0, 60.0, 1000), 120);     // 0.5 s a step: 110 more fit in 55 s
  EXPECT_EQ(steps_within_budget(10, 5.0, 60.0, 50), 50);        // the step limit comes first
  EXPECT_EQ(steps_within_budget(10, 70.0, 60.0, 1000), 10);     // past the deadline: stop now
  EXPECT_EQ(steps_within_budget(0, 0.0, 60.0, 1000), 1000);     // nothing measured yet
  EXPECT_EQ(steps_within_budget(1000, 5.0, 60.0, 1000), 1000);  // done
  EXPECT_EQ(steps_within_budget(10, 0.0, 60.0, 1000), 1000);    // a clock too coarse to measure
}

}  // namespace
}  // namespace tessera::optim

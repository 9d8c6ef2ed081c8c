// The measured SGEMM peak is the denominator of MFU: it must be a plausible, positive rate.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/cpu/gemm.h"

TEST(GemmPeak, MeasuresAPositiveFiniteRateQuickly) {
  const double flops = tessera::kernels::cpu::measure_gemm_peak(128, 0.02);
  EXPECT_TRUE(std::isfinite(flops));
  EXPECT_GT(flops, 1e8);  // any machine that runs the engine does 0.1 GFLOP/s
}

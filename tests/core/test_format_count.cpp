// Counts and rates in log lines: three significant digits and an SI suffix.
#include <gtest/gtest.h>

#include <cmath>

#include "core/progress.h"

namespace tessera {
namespace {

TEST(FormatCount, ThreeSignificantDigitsWithASuffix) {
  EXPECT_EQ(format_count(0), "0");
  EXPECT_EQ(format_count(950), "950");
  EXPECT_EQ(format_count(13412), "13.4k");
  EXPECT_EQ(format_count(1234567), "1.23M");
  EXPECT_EQ(format_count(999999), "1.00M");  // rounds up into the next suffix, never "1000k"
  EXPECT_EQ(format_count(7.1e9), "7.10G");
  EXPECT_EQ(format_count(NAN), "?");
}

}  // namespace
}  // namespace tessera

#include <gtest/gtest.h>
#include <omp.h>
#include <sched.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "core/threads.h"
#include "support/expect_error.h"

namespace tessera {
namespace {

// Sets TESSERA_THREADS for one test and puts back what was there.
class ThreadsEnv : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* value = std::getenv("TESSERA_THREADS")) saved_ = value;
    saved_count_ = num_threads();
  }
  void TearDown() override {
    if (saved_) {
      setenv("TESSERA_THREADS", saved_->c_str(), 1);
    } else {
      unsetenv("TESSERA_THREADS");
    }
    set_num_threads(saved_count_);
  }

 private:
  std::optional<std::string> saved_;
  int saved_count_ = 1;
};

TEST_F(ThreadsEnv, ValidValuesAreUsed) {
  for (const char* value : {"1", "3", "4096"}) {
    setenv("TESSERA_THREADS", value, 1);
    EXPECT_EQ(default_num_threads(), std::atoi(value));
  }
}

TEST_F(ThreadsEnv, InvalidValuesAreClearErrors) {
  for (const char* value : {"0", "-2", "abc", "4x", "", "2.5", "4097", "99999999999999999999"}) {
    setenv("TESSERA_THREADS", value, 1);
    expect_error([] { default_num_threads(); },
                 {"TESSERA_THREADS", "expected an integer from 1 to 4096", std::string("found '") + value + "'"});
  }
}

TEST_F(ThreadsEnv, UnsetFallsBackToTheAvailableCores) {
  unsetenv("TESSERA_THREADS");
  cpu_set_t set;
  ASSERT_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
  EXPECT_EQ(default_num_threads(), CPU_COUNT(&set));
}

TEST_F(ThreadsEnv, SetNumThreadsDrivesOpenMP) {
  set_num_threads(3);
  EXPECT_EQ(num_threads(), 3);
  EXPECT_EQ(omp_get_max_threads(), 3);
  expect_error([] { set_num_threads(0); }, {"at least 1", "found 0"});
  EXPECT_EQ(num_threads(), 3) << "a refused count changes nothing";
}

}  // namespace
}  // namespace tessera

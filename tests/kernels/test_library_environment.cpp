// Which OpenBLAS kernels the engine asks for, and that the binary ends up running them.
#include <gtest/gtest.h>

#include <string>

#include "kernels/cpu/library_environment.h"
#include "support/run_tessera.h"

namespace tessera::kernels::cpu {
namespace {

constexpr CpuVectors kSse{false, false}, kAvx2{true, false}, kAvx512{true, true};

TEST(BetterOpenBlasCore, OlderKernelsAreRaisedToWhatTheCpuAllows) {
  // Prescott is OpenBLAS 0.3.21's fallback for x86-64 CPUs newer than it.
  EXPECT_EQ(better_openblas_core("Prescott", kAvx512), "SkylakeX");
  EXPECT_EQ(better_openblas_core("Prescott", kAvx2), "Haswell");
  EXPECT_EQ(better_openblas_core("Sandybridge", kAvx2), "Haswell");
  EXPECT_EQ(better_openblas_core("Haswell", kAvx512), "SkylakeX");
  EXPECT_EQ(better_openblas_core("Zen", kAvx512), "SkylakeX");
  EXPECT_EQ(better_openblas_core("", kAvx2), "Haswell");
}

TEST(BetterOpenBlasCore, ChoicesAsGoodAsTheCpuAllowsAreKept) {
  for (const char* core : {"SkylakeX", "skylakex", "Cooperlake", "COOPERLAKE", "SapphireRapids"}) {
    EXPECT_EQ(better_openblas_core(core, kAvx512), "") << core;
    EXPECT_EQ(better_openblas_core(core, kAvx2), "") << core;  // never lowered either
  }
  EXPECT_EQ(better_openblas_core("Haswell", kAvx2), "");
  EXPECT_EQ(better_openblas_core("Zen", kAvx2), "");
  EXPECT_EQ(better_openblas_core("Prescott", kSse), "");  // nothing better to ask for
}

// The core name the binary prints after "OpenBLAS kernels " on selfcheck's first line.
std::string selfcheck_kernels(const std::string& environment) {
  const CliRun r = run_tessera("selfcheck --steps 2", environment);
  const std::string key = "OpenBLAS kernels ";
  const size_t at = r.output.find(key);
  if (at == std::string::npos) {
    ADD_FAILURE() << "selfcheck did not name its OpenBLAS kernels:\n" << r.output;
    return "";
  }
  const size_t begin = at + key.size();
  return r.output.substr(begin, r.output.find('\n', begin) - begin);
}

TEST(LibraryEnvironment, TheBinaryRunsTheBestKernelsTheCpuAllows) {
  const std::string core = selfcheck_kernels("env -u OPENBLAS_CORETYPE");
  EXPECT_FALSE(core.empty());
  EXPECT_EQ(better_openblas_core(core, cpu_vectors()), "") << "the binary runs OpenBLAS's " << core << " kernels";
}

TEST(LibraryEnvironment, AUsersOwnChoiceOfKernelsIsKept) {
  EXPECT_EQ(selfcheck_kernels("OPENBLAS_CORETYPE=Prescott"), "Prescott");
}

}  // namespace
}  // namespace tessera::kernels::cpu

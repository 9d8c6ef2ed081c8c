// The `tessera` binary as a user runs it: exit codes and what it prints.
#include <gtest/gtest.h>

#include "support/run_tessera.h"

namespace tessera {
namespace {

TEST(Cli, VersionPrintsTheVersion) {
  const CliRun r = run_tessera("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(contains(r.output, "tessera 0.")) << r.output;
}

TEST(Cli, SelfcheckTrainsAndTheLossFalls) {
  const CliRun r = run_tessera("--threads 2 selfcheck");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "step 40/40 | loss ")) << r.output;
  EXPECT_TRUE(contains(r.output, "selfcheck passed")) << r.output;
}

TEST(Cli, SelfcheckFailsLoudlyWhenTheLossDoesNotFall) {
  // Two steps of warmup cannot move the loss by 20%: the check must say so and exit non-zero.
  const CliRun r = run_tessera("selfcheck --steps 2");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "selfcheck FAILED")) << r.output;
}

TEST(Cli, BadThreadCountsAreClearErrors) {
  const CliRun env = run_tessera("selfcheck --steps 2", "TESSERA_THREADS=abc");
  EXPECT_EQ(env.exit_code, 1);
  EXPECT_TRUE(contains(env.output, "error: TESSERA_THREADS")) << env.output;
  EXPECT_TRUE(contains(env.output, "'abc'")) << env.output;
  const CliRun flag = run_tessera("--threads 0 selfcheck");
  EXPECT_NE(flag.exit_code, 0);
  EXPECT_TRUE(contains(flag.output, "--threads")) << flag.output;
  EXPECT_TRUE(contains(flag.output, "Value 0 not in range 1 to 4096")) << flag.output;
}

TEST(Cli, UnknownCommandsAndMissingCommandsAreRefused) {
  const CliRun unknown = run_tessera("fly");
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_TRUE(contains(unknown.output, "not expected: fly")) << unknown.output;
  const CliRun none = run_tessera("");
  EXPECT_NE(none.exit_code, 0);
  EXPECT_TRUE(contains(none.output, "error: no command given")) << none.output;
  EXPECT_TRUE(contains(none.output, "selfcheck")) << none.output;  // the help lists the commands
}

}  // namespace
}  // namespace tessera

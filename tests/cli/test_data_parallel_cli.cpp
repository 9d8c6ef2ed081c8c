// `tessera train` under `mpirun -np 2` as a user runs it, against one process: two ranks of
// half a batch each end with the losses and weights of one process of the whole batch (to
// float tolerance: the sums run in another order), for the text model and for a codec, with
// and without ZeRO-1; a run of two ranks stopped and resumed ends bit for bit as one never
// stopped; and what cannot run data-parallel says so. Skipped when this build has no MPI or
// no mpirun is on the PATH (scripts/install-deps.sh installs Open MPI).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "io/atomic_file.h"
#include "io/safetensors.h"
#include "support/run_tessera.h"
#include "support/tiny_recipes.h"

namespace tessera {
namespace {

using testing::TinyRun;

// Two ranks on this machine whatever its cores, one thread each, shared memory between them.
// Under the sanitizers the ranks check memory errors but not leaks: Open MPI keeps
// allocations past MPI_Finalize in plugins it has unloaded by then, which LeakSanitizer can
// neither name nor suppress (the same code's leaks are checked in one process elsewhere).
std::string mpirun(int ranks) {
  std::string command = "mpirun --oversubscribe --bind-to none -np " + std::to_string(ranks) +
                        " --mca btl self,vader --mca btl_vader_single_copy_mechanism none -x TESSERA_THREADS=1" +
                        " -x ASAN_OPTIONS=detect_leaks=0";
  if (geteuid() == 0) command += " --allow-run-as-root";
  return command;
}

// The training loss of every logged step of OUT/log.jsonl.
std::vector<double> logged_losses(const std::string& log) {
  std::vector<double> losses;
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);) {
    const nlohmann::json record = nlohmann::json::parse(line);
    if (record.value("type", "") == "step") losses.push_back(record["loss"].get<double>());
  }
  return losses;
}

// The largest |a - b| over every tensor of two safetensors files with the same tensors.
double largest_difference(const std::string& a, const std::string& b) {
  const Safetensors x = read_safetensors(a), y = read_safetensors(b);
  EXPECT_EQ(x.tensors.size(), y.tensors.size());
  double largest = 0;
  for (size_t t = 0; t < std::min(x.tensors.size(), y.tensors.size()); ++t) {
    EXPECT_EQ(x.tensors[t].first, y.tensors[t].first);
    const std::vector<float> u = x.tensors[t].second.to_vector(), v = y.tensors[t].second.to_vector();
    for (size_t i = 0; i < std::min(u.size(), v.size()); ++i)
      largest = std::max(largest, static_cast<double>(std::fabs(u[i] - v[i])));
  }
  return largest;
}

class DataParallelCli : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
#ifndef TESSERA_HAVE_MPI
    GTEST_SKIP() << "this build has no MPI (install libopenmpi-dev and build again)";
#endif
    if (run_command("command -v mpirun").exit_code != 0) GTEST_SKIP() << "no mpirun on the PATH";
  }
  std::string train(TinyRun& run, const std::string& out, const std::string& more = "") const {
    std::string sets = " --set optimization.steps=8 --set log.every=1 --set eval.every=0 --set checkpoint.every=4";
    if (GetParam() == "image_codec")  // FSQ: a VQ codebook's EMA is not averaged over ranks
      sets += " --set 'codec.quantizer={\"type\": \"fsq\", \"levels\": [5, 5, 5]}' --set codebook.keep_codes=0";
    return "--threads 1 train --config " + run.recipe_path() + " --out " + run.out(out) + " --peak-gflops 10" + sets +
           more;
  }
  void expect_like_one_process(TinyRun& run, const std::string& out) {
    const std::vector<double> one = logged_losses(run.out("one/log.jsonl")), two = logged_losses(run.out(out + "/log.jsonl"));
    ASSERT_EQ(one.size(), 8u);
    ASSERT_EQ(two.size(), 8u);
    for (size_t i = 0; i < one.size(); ++i) EXPECT_NEAR(one[i], two[i], 1e-5 * std::max(1.0, std::fabs(one[i]))) << i;
    const double largest = largest_difference(run.out("one/" + run.artifact()), run.out(out + "/" + run.artifact()));
    std::printf("%s, %s: the largest weight difference from one process is %.3g\n", GetParam().c_str(), out.c_str(),
                largest);
    EXPECT_LT(largest, 1e-5);
  }
};

TEST_P(DataParallelCli, TwoRanksOfHalfABatchTrainAsOneProcessOfTheWholeBatch) {
  TinyRun run(GetParam());
  const CliRun one = run_tessera(train(run, "one"));
  ASSERT_EQ(one.exit_code, 0) << one.output;
  const CliRun two = run_tessera(train(run, "two"), mpirun(2));
  ASSERT_EQ(two.exit_code, 0) << two.output;
  EXPECT_TRUE(contains(two.output, "data parallel: Open MPI")) << two.output;
  EXPECT_TRUE(contains(two.output, ": 2 ranks on 1 machine; each takes ")) << two.output;
  expect_like_one_process(run, "two");

  const CliRun zero = run_tessera(train(run, "zero", " --shard-optimizer"), mpirun(2));
  ASSERT_EQ(zero.exit_code, 0) << zero.output;
  EXPECT_TRUE(contains(zero.output, "ZeRO-1: this rank keeps ")) << zero.output;
  expect_like_one_process(run, "zero");
  // The checkpoint holds the whole optimizer state, gathered from both ranks.
  EXPECT_LT(largest_difference(run.out("two/checkpoint/optimizer.safetensors"),
                               run.out("zero/checkpoint/optimizer.safetensors")),
            1e-6);
}

TEST_P(DataParallelCli, TwoRanksResumeExactlyFromTheirCheckpoint) {
  TinyRun run(GetParam());
  ASSERT_EQ(run_tessera(train(run, "whole"), mpirun(2)).exit_code, 0);
  const CliRun stopped = run_tessera(train(run, "split", " --stop-at 4 --shard-optimizer"), mpirun(2));
  ASSERT_EQ(stopped.exit_code, 0) << stopped.output;
  EXPECT_TRUE(contains(stopped.output, "resume with: mpirun -np 2 tessera")) << stopped.output;
  const CliRun resumed = run_tessera(train(run, "split", " --resume --shard-optimizer"), mpirun(2));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(read_file(run.out("split/" + run.artifact())), read_file(run.out("whole/" + run.artifact())));
}

INSTANTIATE_TEST_SUITE_P(Tasks, DataParallelCli, ::testing::Values("transformer", "image_codec"));

// A rank that hangs (stopped with SIGSTOP mid-run) ends the job once the other rank's
// collective waits past --collective-timeout, with a message naming the rank and the wait.
TEST(DataParallelCliErrors, AHungRankEndsTheJobAfterTheTimeout) {
#ifndef TESSERA_HAVE_MPI
  GTEST_SKIP() << "this build has no MPI";
#endif
  if (run_command("command -v mpirun").exit_code != 0) GTEST_SKIP() << "no mpirun on the PATH";
  TinyRun run("transformer");
  const std::string log = run.out("hang.txt");
  const std::string script =
      mpirun(2) + " " + std::getenv("TESSERA_BINARY") + " --threads 1 train --config " + run.recipe_path() +
      " --out " + run.out("hang") +
      " --set optimization.steps=1000000 --set log.every=1 --set eval.every=0 --set checkpoint.every=0"
      " --collective-timeout 2 > " + log + " 2>&1 &\n"
      "m=$!\n"
      "for i in $(seq 1 600); do grep -q 'step 3/' " + log + " && break; sleep 0.1; done\n"
      "rank=$(pgrep -P $m | tail -n 1)\n"
      "kill -STOP $rank\n"
      "for i in $(seq 1 600); do kill -0 $m 2>/dev/null || break; sleep 0.1; done\n"
      "kill -KILL $rank $m 2>/dev/null\n"
      "wait $m; echo \"mpirun exit $?\"; cat " + log + "\n";
  std::ofstream(run.out("hang.sh")) << script;
  const CliRun r = run_command("bash " + run.out("hang.sh"));
  EXPECT_TRUE(contains(r.output, "step 3/")) << r.output;
  EXPECT_TRUE(contains(r.output, " of 2: ")) << r.output;
  EXPECT_TRUE(contains(r.output, "for the other ranks (one has died or hangs); ending the job")) << r.output;
  EXPECT_FALSE(contains(r.output, "mpirun exit 0")) << r.output;
}

TEST(DataParallelCliErrors, UnevenBatchesAndVqCodecsAreRefused) {
#ifndef TESSERA_HAVE_MPI
  GTEST_SKIP() << "this build has no MPI";
#endif
  if (run_command("command -v mpirun").exit_code != 0) GTEST_SKIP() << "no mpirun on the PATH";
  TinyRun text("transformer");
  const CliRun uneven = run_tessera("--threads 1 train --config " + text.recipe_path() + " --out " + text.out("x") +
                                        " --set optimization.micro_batches=4",
                                    mpirun(2));
  EXPECT_NE(uneven.exit_code, 0) << uneven.output;
  EXPECT_TRUE(contains(uneven.output, "a micro-batch of 1 rows (optimization.batch_size / micro_batches) does not "
                                      "split evenly over 2 ranks"))
      << uneven.output;
  TinyRun codec("image_codec");
  const CliRun vq = run_tessera("--threads 1 train --config " + codec.recipe_path() + " --out " + codec.out("x"), mpirun(2));
  EXPECT_NE(vq.exit_code, 0) << vq.output;
  EXPECT_TRUE(contains(vq.output, "a VQ codebook's EMA statistics are not averaged over ranks")) << vq.output;
}

}  // namespace
}  // namespace tessera

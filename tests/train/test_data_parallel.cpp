// Data parallelism's pieces without a launcher: shards split batches, ZeRO-1's owners
// balance, gradients average, and ZeRO-1 over two ranks (threads) takes the steps one AdamW
// takes on the mean gradient, its gathered state the same. Whole runs under mpirun are in
// tests/cli/test_data_parallel_cli.cpp.
#include "train/data_parallel.h"

#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "nn/linear.h"
#include "support/thread_collective.h"

namespace tessera::train {
namespace {

TEST(Shard, SplitsRowsContiguouslyAndEvenly) {
  const Shard first{0, 2}, second{1, 2};
  EXPECT_EQ(first.first(6), 0);
  EXPECT_EQ(first.count(6), 3);
  EXPECT_EQ(second.first(6), 3);
  EXPECT_EQ(second.count(6), 3);
  EXPECT_EQ(first.count(5) + second.count(5), 5);
  EXPECT_EQ(second.rows(std::vector<int>{1, 2, 3, 4}), (std::vector<int>{3, 4}));
  const Tensor batch = Tensor::from_vector(std::vector<int32_t>{1, 2, 3, 4, 5, 6}, {3, 2});
  const Tensor mine = Shard{2, 3}.rows(batch);
  EXPECT_EQ(mine.shape(), (Shape{1, 2}));
  EXPECT_EQ(mine.data<int32_t>()[0], 5);
  EXPECT_TRUE(Shard{}.rows(batch).shares_storage_with(batch)) << "one rank keeps the batch as it is";
}

TEST(ParameterOwners, LargestFirstToTheRankHoldingLeast) {
  EXPECT_EQ(parameter_owners({10, 7, 5, 3, 1}, 2), (std::vector<int>{0, 1, 1, 0, 1}));
  EXPECT_EQ(parameter_owners({10, 7, 5}, 1), (std::vector<int>{0, 0, 0}));
  EXPECT_EQ(parameter_owners({4, 4, 4, 4}, 3), (std::vector<int>{0, 1, 2, 0})) << "ties go to the lower rank";
}

// Runs `body(rank)` on `ranks` threads, each with its own collective of one group.
void on_ranks(int ranks, const std::function<void(Collective&)>& body) {
  testing::ThreadRanks group(ranks);
  std::vector<std::thread> threads;
  for (int r = 0; r < ranks; ++r) threads.emplace_back([&, r] { body(group.rank(r)); });
  for (std::thread& t : threads) t.join();
}

Tensor filled(const Shape& shape, float value) { return Tensor::full(shape, value); }

TEST(DataParallel, AveragesGradientsAndCountsAMissingOneAsZeros) {
  std::vector<std::vector<float>> weight_grads(2), bias_grads(2);
  on_ranks(2, [&](Collective& c) {
    Rng rng(1);
    nn::Linear layer(3, 2, true, 0.1f, rng);
    optim::AdamW adamw(layer.named_parameters(), {});
    DataParallel parallel(c, layer, adamw, false);
    layer.weight.set_grad(filled({2, 3}, static_cast<float>(c.rank() + 1)), true);
    if (c.rank() == 0) layer.bias.set_grad(filled({2}, 4.0f), true);  // rank 1 has none
    parallel.average_gradients();
    weight_grads[static_cast<size_t>(c.rank())] = layer.weight.grad().to_vector();
    bias_grads[static_cast<size_t>(c.rank())] = layer.bias.grad().to_vector();
    EXPECT_DOUBLE_EQ(parallel.mean(c.rank() == 0 ? 1.0 : 3.0), 2.0);
  });
  for (int r = 0; r < 2; ++r) {
    EXPECT_EQ(weight_grads[r], std::vector<float>(6, 1.5f)) << "rank " << r;
    EXPECT_EQ(bias_grads[r], std::vector<float>(2, 2.0f)) << "rank " << r;
  }
}

// Each rank's gradient at step s: a pattern of its own, so the mean is not either one.
Tensor rank_gradient(const Shape& shape, int rank, int step) {
  Tensor g = Tensor::empty(shape);
  for (int64_t i = 0; i < g.numel(); ++i)
    g.data<float>()[i] = 0.1f * static_cast<float>((i * 7 + rank * 3 + step) % 11) - 0.4f;
  return g;
}

TEST(DataParallel, ZeroOneTakesTheStepsOfOneAdamWOnTheMeanGradient) {
  constexpr int kSteps = 3;
  const optim::AdamWConfig config{0.9f, 0.95f, 1e-8f, 0.1f};
  Rng rng(5);
  nn::Linear reference(4, 3, true, 0.1f, rng);
  optim::AdamW reference_adamw(reference.named_parameters(), config);
  for (int s = 0; s < kSteps; ++s) {
    for (Tensor& p : reference.parameters()) {
      const Tensor a = rank_gradient(p.shape(), 0, s), b = rank_gradient(p.shape(), 1, s);
      Tensor mean = Tensor::empty(p.shape());
      for (int64_t i = 0; i < mean.numel(); ++i)
        mean.data<float>()[i] = (a.data<float>()[i] + b.data<float>()[i]) * 0.5f;
      p.set_grad(mean, true);
    }
    reference_adamw.step(1e-2f);
  }

  std::vector<nn::NamedTensors> weights(2);
  nn::NamedTensors gathered;
  std::vector<int64_t> kept(2);
  int64_t whole = 0;
  on_ranks(2, [&](Collective& c) {
    Rng same(5);
    nn::Linear layer(4, 3, true, 0.1f, same);
    optim::AdamW adamw(layer.named_parameters(), config);
    DataParallel parallel(c, layer, adamw, true);
    for (int s = 0; s < kSteps; ++s) {
      for (Tensor& p : layer.parameters()) p.set_grad(rank_gradient(p.shape(), c.rank(), s), true);
      parallel.average_gradients();
      adamw.step(1e-2f);
      parallel.share_updated_parameters();
    }
    const nn::NamedTensors state = parallel.optimizer_state();
    weights[static_cast<size_t>(c.rank())] = layer.named_parameters();
    kept[static_cast<size_t>(c.rank())] = parallel.moment_bytes_kept();
    if (c.rank() == 0) {
      gathered = state;
      whole = parallel.moment_bytes_whole();
    }
  });
  for (int r = 0; r < 2; ++r) {
    const nn::NamedTensors expected = reference.named_parameters();
    for (size_t i = 0; i < expected.size(); ++i)
      EXPECT_EQ(weights[r][i].second.to_vector(), expected[i].second.to_vector()) << "rank " << r << " " << expected[i].first;
  }
  const nn::NamedTensors expected_state = reference_adamw.state();
  ASSERT_EQ(gathered.size(), expected_state.size());
  for (size_t i = 0; i < gathered.size(); ++i) {
    EXPECT_EQ(gathered[i].first, expected_state[i].first);
    EXPECT_EQ(gathered[i].second.to(DType::f32).to_vector(), expected_state[i].second.to(DType::f32).to_vector())
        << gathered[i].first;
  }
  EXPECT_EQ(kept[0] + kept[1], whole);
  EXPECT_GT(kept[0], 0);
  EXPECT_GT(kept[1], 0);
  EXPECT_EQ(whole, 2 * (4 * 3 + 3) * 4) << "two moments of 15 f32 values";
}

TEST(DataParallel, OneProcessChangesNothing) {
  SingleProcess one;
  Rng rng(1);
  nn::Linear layer(3, 2, true, 0.1f, rng);
  optim::AdamW adamw(layer.named_parameters(), {});
  DataParallel parallel(one, layer, adamw, true);
  layer.weight.set_grad(filled({2, 3}, 2.0f), true);
  parallel.average_gradients();
  EXPECT_EQ(layer.weight.grad().to_vector(), std::vector<float>(6, 2.0f));
  EXPECT_FALSE(layer.bias.grad().defined());
  EXPECT_EQ(parallel.moment_bytes_kept(), parallel.moment_bytes_whole()) << "one rank owns every parameter";
  EXPECT_NO_THROW(parallel.check_in_step(1));
}

}  // namespace
}  // namespace tessera::train

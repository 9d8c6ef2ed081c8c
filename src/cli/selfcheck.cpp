// `tessera selfcheck`: trains a tiny transformer for a few steps on a copy task and shows
// its loss falling, a smoke test of the whole training path on this machine.
#include <chrono>
#include <cstdio>

#include "cli/commands.h"
#include "core/threads.h"
#include "kernels/cpu/library_environment.h"
#include "model/transformer.h"
#include "optim/adamw.h"
#include "optim/schedule.h"
#include "train/train_step.h"

namespace tessera::cli {

namespace {

struct SelfcheckOptions {
  int steps = 40;
  int batch = 16;
  int half_length = 12;
  uint64_t seed = 1;
};

// Sequences "a b c ... | a b c ...": the second half repeats the first, so only a model
// whose attention works can predict it. Targets of the first half are ignored.
data::Batch make_copy_batch(const SelfcheckOptions& o, int32_t vocab, Rng& rng) {
  const int64_t T = 2 * o.half_length + 1;
  data::Batch batch{Tensor::empty({o.batch, T}, DType::i32), Tensor::empty({o.batch, T}, DType::i32)};
  int32_t* x = batch.ids.data<int32_t>();
  int32_t* y = batch.targets.data<int32_t>();
  const int32_t separator = vocab - 1;
  for (int64_t b = 0; b < o.batch; ++b) {
    int32_t* row = x + b * T;
    for (int t = 0; t < o.half_length; ++t) row[t] = static_cast<int32_t>(rng.below(vocab - 1));
    row[o.half_length] = separator;
    for (int t = 0; t < o.half_length; ++t) row[o.half_length + 1 + t] = row[t];
    for (int64_t t = 0; t < T; ++t) y[b * T + t] = (t >= o.half_length && t + 1 < T) ? row[t + 1] : -100;
  }
  return batch;
}

int run_selfcheck(const SelfcheckOptions& o) {
  model::TransformerConfig config;
  config.vocab_size = 32;
  config.dim = 64;
  config.n_layers = 2;
  config.n_heads = 4;
  config.hidden = 128;
  Rng rng(o.seed);
  model::Transformer model(config, rng);
  optim::AdamW optimizer(model.named_parameters(), {});
  const optim::CosineSchedule schedule{3e-3f, 3e-4f, o.steps / 10, o.steps};
  std::printf("selfcheck: %lld-parameter transformer, copy task, %d steps, %d threads, OpenBLAS kernels %s\n",
              static_cast<long long>(model.num_parameters()), o.steps, num_threads(),
              kernels::cpu::openblas_core().c_str());
  float first = 0, last = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int step = 0; step < o.steps; ++step) {
    const data::Batch batch = make_copy_batch(o, static_cast<int32_t>(config.vocab_size), rng);
    const train::StepResult r = train::train_step(model, optimizer, {&batch, 1}, {schedule.at(step), 1.0f, 0.0f});
    last = r.loss;
    if (step == 0) first = last;
    std::printf("step %3d/%d  loss %.4f  lr %.2e  grad norm %.3f\n", step + 1, o.steps, last, r.lr, r.grad_norm);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const bool learned = last < 0.8f * first;
  std::printf("selfcheck %s: loss %.4f -> %.4f in %.1f s\n", learned ? "passed" : "FAILED", first, last, seconds);
  return learned ? 0 : 1;
}

}  // namespace

void add_selfcheck_command(CLI::App& app) {
  auto options = std::make_shared<SelfcheckOptions>();
  CLI::App* cmd = app.add_subcommand(
      "selfcheck", "Train a tiny transformer for a few steps on a copy task and check that its loss falls");
  cmd->add_option("--steps", options->steps, "Training steps")->check(CLI::Range(2, 100000));
  cmd->add_option("--batch", options->batch, "Sequences per step")->check(CLI::Range(1, 4096));
  cmd->add_option("--seed", options->seed, "Seed for the weights and the data");
  cmd->callback([options] {
    const int code = run_selfcheck(*options);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace tessera::cli

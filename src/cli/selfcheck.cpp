// `tessera selfcheck`: trains a tiny transformer for a few steps on a copy task through the
// one training loop and shows its loss falling, a smoke test of the whole training path on
// this machine.
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "autograd/cross_entropy.h"
#include "cli/commands.h"
#include "core/threads.h"
#include "data/random_state.h"
#include "io/safetensors.h"
#include "kernels/cpu/library_environment.h"
#include "model/transformer.h"
#include "train/loop.h"

namespace tessera::cli {

namespace {

namespace fs = std::filesystem;

struct SelfcheckOptions {
  int64_t steps = 40;
  int64_t batch = 16;
  int64_t half_length = 12;
  int64_t seed = 1;
};

// Sequences "a b c ... | a b c ...": the second half repeats the first, so only a model
// whose attention works can predict it. Targets of the first half are ignored.
class CopyTask : public train::Task {
 public:
  explicit CopyTask(const SelfcheckOptions& o) : o_(o), init_(static_cast<uint64_t>(o.seed)), model_(config(), init_) {}

  static model::TransformerConfig config() {
    return {.vocab_size = 32, .dim = 64, .n_layers = 2, .n_heads = 4, .hidden = 128};
  }

  nn::Module& module() override { return model_; }
  std::string describe() const override {
    return str("selfcheck: ", model_.num_parameters(), "-parameter transformer, copy task, ", num_threads(),
               " threads, OpenBLAS kernels ", kernels::cpu::openblas_core(), "\n");
  }
  const char* unit() const override { return "tokens"; }
  int64_t units_per_step() const override { return o_.batch * (2 * o_.half_length + 1); }

  Tensor next_loss() override {
    const int64_t T = 2 * o_.half_length + 1;
    const auto vocab = static_cast<int32_t>(model_.config.vocab_size);
    Tensor ids = Tensor::empty({o_.batch, T}, DType::i32), targets = Tensor::empty({o_.batch, T}, DType::i32);
    int32_t* x = ids.data<int32_t>();
    int32_t* y = targets.data<int32_t>();
    for (int64_t b = 0; b < o_.batch; ++b) {
      int32_t* row = x + b * T;
      for (int64_t t = 0; t < o_.half_length; ++t) row[t] = static_cast<int32_t>(init_.below(vocab - 1));
      row[o_.half_length] = vocab - 1;  // the separator
      for (int64_t t = 0; t < o_.half_length; ++t) row[o_.half_length + 1 + t] = row[t];
      for (int64_t t = 0; t < T; ++t) y[b * T + t] = (t >= o_.half_length && t + 1 < T) ? row[t + 1] : -100;
    }
    return cross_entropy(model_.forward(ids), targets);
  }
  void shard(const train::Shard& shard) override {
    TESSERA_CHECK(shard.whole(), "selfcheck trains in one process, not under mpirun");
  }
  train::Metrics evaluate() override { return {}; }
  void state_fields(Fields& f) override { data::rng_field(f, "rng", init_); }
  void save(const std::string& dir) const override {
    write_safetensors((fs::path(dir) / "model.safetensors").string(), model_.named_parameters());
  }
  void load(const std::string& dir) override {
    const Safetensors weights = read_safetensors((fs::path(dir) / "model.safetensors").string());
    model_.load_parameters(weights.tensors, weights.source);
  }

 private:
  SelfcheckOptions o_;
  Rng init_;  // the weights, then the data
  model::Transformer model_;
};

// A scratch output folder for the loop, removed with everything in it.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "tessera-selfcheck-XXXXXX").string();
    TESSERA_CHECK(mkdtemp(pattern.data()) != nullptr, "selfcheck: cannot create a scratch folder in ",
                  fs::temp_directory_path().string());
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

int run_selfcheck(const SelfcheckOptions& o) {
  train::LoopConfig config;
  config.optimization.steps = o.steps;
  config.optimization.batch_size = o.batch;
  config.optimization.lr = 3e-3;
  config.optimization.min_lr = 3e-4;
  config.optimization.warmup = o.steps / 10;
  config.eval_every = config.checkpoint_every = 0;
  const ScratchDir scratch;
  train::LoopOptions options;
  options.out_dir = scratch.path();
  options.recipe = write_config(config);
  CopyTask task(o);
  const auto start = std::chrono::steady_clock::now();
  const train::LoopResult r = train::run_loop(config, task, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const bool learned = r.last_loss < 0.8 * r.first_loss;
  std::printf("selfcheck %s: loss %.4f -> %.4f in %.1f s\n", learned ? "passed" : "FAILED", r.first_loss, r.last_loss,
              seconds);
  return learned ? 0 : 1;
}

}  // namespace

void add_selfcheck_command(CLI::App& app) {
  auto options = std::make_shared<SelfcheckOptions>();
  CLI::App* cmd = app.add_subcommand(
      "selfcheck", "Train a tiny transformer for a few steps on a copy task and check that its loss falls");
  cmd->add_option("--steps", options->steps, "Training steps")->check(CLI::Range(2, 100000));
  cmd->add_option("--batch", options->batch, "Sequences per step")->check(CLI::Range(1, 4096));
  cmd->add_option("--seed", options->seed, "Seed for the weights and the data")->check(CLI::NonNegativeNumber);
  cmd->callback([options] {
    const int code = run_selfcheck(*options);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace tessera::cli

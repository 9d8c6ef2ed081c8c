// `tessera train`: train a transformer from a recipe (a JSON run config) on token shards,
// with checkpoints, resumption, held-out evaluation, a log and a loss chart.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "core/threads.h"
#include "train/trainer.h"

namespace tessera::cli {

namespace {

struct TrainArgs {
  std::string config, text_codec, out;
  bool resume = false;
  std::optional<int64_t> steps, batch_size, micro_batches, warmup, eval_every, eval_batches, checkpoint_every,
      log_every, seed;
  std::optional<float> lr, min_lr, weight_decay, clip, z_loss;
  std::optional<std::string> sampling;
  int64_t stop_at = 0;
  double peak_gflops = 0;
};

template <class T>
bool apply(const std::optional<T>& value, T& field) {
  if (value) field = *value;
  return value.has_value();
}

train::TrainConfig configure(const TrainArgs& a) {
  train::TrainConfig c = train::TrainConfig::load(a.config);
  bool overridden = false;
  overridden |= apply(a.steps, c.steps);
  overridden |= apply(a.batch_size, c.batch_size);
  overridden |= apply(a.micro_batches, c.micro_batches);
  overridden |= apply(a.warmup, c.warmup);
  overridden |= apply(a.eval_every, c.eval_every);
  overridden |= apply(a.eval_batches, c.eval_batches);
  overridden |= apply(a.checkpoint_every, c.checkpoint_every);
  overridden |= apply(a.log_every, c.log_every);
  overridden |= apply(a.lr, c.lr);
  overridden |= apply(a.min_lr, c.min_lr);
  overridden |= apply(a.weight_decay, c.weight_decay);
  overridden |= apply(a.clip, c.clip);
  overridden |= apply(a.z_loss, c.z_loss);
  if (a.seed) {
    c.seed = static_cast<uint64_t>(*a.seed);
    overridden = true;
  }
  if (a.sampling) {
    c.sampling = data::parse_sampling(*a.sampling, "--sampling", "data.sampling");
    overridden = true;
  }
  if (overridden) {
    c.source += " (with command-line overrides)";
    c.validate();
  }
  return c;
}

std::string shell_quoted(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:+") ==
                        std::string::npos) {
    return s;
  }
  std::string quoted = "'";
  for (const char c : s) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// The command that continues this run: the same options (and thread count, which bit-exact
// resumption needs) plus --resume.
std::string resume_command(const CLI::App& cmd) {
  std::string line = "tessera --threads " + std::to_string(num_threads()) + " train";
  for (const CLI::Option* option : cmd.get_options()) {
    const std::string name = option->get_name();
    if (option->count() == 0 || name == "--resume" || name == "--stop-at" || name == "--help") continue;
    for (const std::string& value : option->results()) line += " " + name + " " + shell_quoted(value);
  }
  return line + " --resume";
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto a = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand(
      "train", "Train a transformer from a recipe (JSON run config) on token shards; writes a model directory");
  cmd->add_option("--config", a->config,
                  "Recipe: JSON with model, data, optimization, eval, checkpoint and log sections")
      ->required();
  cmd->add_option("--text-codec", a->text_codec,
                  "Text codec file (from `tessera codec train text`); its vocabulary sizes the model, and the "
                  "model directory gets a copy")
      ->required();
  cmd->add_option("--out", a->out,
                  "Output directory: the final model, checkpoint/, log.jsonl, loss.png, recipe.json")
      ->required();
  cmd->add_flag("--resume", a->resume,
                "Continue the run saved in OUT/checkpoint exactly where it stopped (same model config required)");
  cmd->add_option("--steps", a->steps, "Override optimization.steps: total optimizer steps of the run")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--batch-size", a->batch_size, "Override optimization.batch_size: sequences per step")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--micro-batches", a->micro_batches,
                  "Override optimization.micro_batches: split each step's batch into this many parts "
                  "(gradient accumulation, for less memory)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--lr", a->lr, "Override optimization.lr: peak learning rate after warmup")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--min-lr", a->min_lr, "Override optimization.min_lr: learning rate the cosine decay ends at")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--warmup", a->warmup, "Override optimization.warmup: steps of linear learning-rate warmup")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--weight-decay", a->weight_decay, "Override optimization.weight_decay: AdamW's decoupled decay")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--clip", a->clip, "Override optimization.clip: max global gradient norm (0: no clipping)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--z-loss", a->z_loss,
                  "Override optimization.z_loss: weight of the logsumexp^2 term that keeps logits from drifting")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", a->seed, "Override optimization.seed: seeds the initial weights and the data order")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--sampling", a->sampling,
                  "Override data.sampling: random (windows at random positions) or sequential (in order)");
  cmd->add_option("--eval-every", a->eval_every,
                  "Override eval.every: steps between held-out evaluations (0: only at the end)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--eval-batches", a->eval_batches, "Override eval.batches: held-out batches per evaluation")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--checkpoint-every", a->checkpoint_every,
                  "Override checkpoint.every: steps between checkpoints (0: only at the end)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--log-every", a->log_every, "Override log.every: steps between log lines")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--stop-at", a->stop_at,
                  "Stop after this step with a checkpoint, though the schedule runs to the recipe's steps "
                  "(split a long run into jobs; continue with --resume)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--peak-gflops", a->peak_gflops,
                  "The machine's GEMM peak in GFLOP/s for the MFU column (default: measured at start, under a second)")
      ->check(CLI::PositiveNumber);
  cmd->callback([a, cmd] {
    train::TrainerOptions options;
    options.config = configure(*a);
    options.text_codec = a->text_codec;
    options.out_dir = a->out;
    options.resume = a->resume;
    options.peak_flops = a->peak_gflops * 1e9;
    options.stop_at = a->stop_at;
    const train::TrainResult result = train::run_training(options);
    if (result.outcome != train::TrainOutcome::finished) {
      std::printf("resume with: %s\n", resume_command(*cmd).c_str());
      std::fflush(stdout);
    }
    if (result.outcome == train::TrainOutcome::interrupted) throw CLI::RuntimeError(130);
  });
}

}  // namespace tessera::cli

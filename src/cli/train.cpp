// `tessera train`: train what a recipe names (the transformer, the image codec, the audio
// codec) through the one training loop, with checkpoints, resumption, held-out evaluation,
// a log and a loss chart.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/threads.h"
#include "train/collective.h"
#include "train/loop.h"
#include "train/recipe.h"

namespace tessera::cli {

namespace {

struct TrainArgs {
  std::string config, out;
  std::vector<std::string> sets;
  bool resume = false;
  int64_t stop_at = 0;
  double peak_gflops = 0;
  bool shard_optimizer = false;
  double collective_timeout = 600;
};

// Where a rank other than rank 0 prints: nowhere (rank 0 speaks for the job; errors still
// reach stderr from every rank).
std::FILE* quiet_output() {
  static std::FILE* null = std::fopen("/dev/null", "w");
  TESSERA_CHECK(null != nullptr, "cannot open /dev/null for writing");
  return null;
}

void run_train(const TrainArgs& a) {
  TESSERA_CHECK(!a.config.empty() || a.resume,
                "train: give the recipe with --config (or continue a run with --resume)");
  // A resumed run reads the recipe it ran with, kept in its folder, unless given another.
  const std::string config = a.config.empty() ? (std::filesystem::path(a.out) / "recipe.json").string() : a.config;
  const train::Recipe recipe = train::read_recipe(config, parse_overrides(a.sets));
  const std::unique_ptr<train::Collective> collective = train::start_collective(a.collective_timeout);
  std::FILE* out = collective->rank() == 0 ? stdout : quiet_output();

  train::LoopOptions options;
  options.collective = collective.get();
  options.shard_optimizer = a.shard_optimizer;
  options.out = out;
  options.out_dir = a.out;
  options.resume = a.resume;
  options.stop_at = a.stop_at;
  options.peak_flops = a.peak_gflops * 1e9;
  options.recipe = recipe.to_json(a.out);
  // Before the task loads its data, which may take a while.
  if (collective->rank() == 0) train::prepare_output(options);
  const std::unique_ptr<train::Task> task = recipe.config->make(recipe.loop, out);
  const train::LoopResult result = train::run_loop(recipe.loop, *task, options);
  if (result.outcome != train::Outcome::finished) {
    const std::string launcher = collective->size() > 1 ? str("mpirun -np ", collective->size(), " ") : "";
    std::fprintf(out, "resume with: %stessera --threads %d train --out %s --resume%s\n", launcher.c_str(),
                 num_threads(), a.out.c_str(), a.shard_optimizer ? " --shard-optimizer" : "");
    std::fflush(out);
  }
  if (result.outcome == train::Outcome::interrupted) throw CLI::RuntimeError(130);
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto a = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand(
      "train",
      "Train what a recipe names (\"task\": transformer, image_codec, audio_codec, image_judge or speech_judge) "
      "through the one training loop; writes the result, checkpoints, a JSONL log and a loss chart into --out");
  cmd->footer(
      "A recipe is one JSON file: the task's sections (model, codecs, data, loss, eval for the transformer; codec, "
      "data, loss, eval, codebook for the codecs; model or judge, data, eval for the judges) and the shared "
      "optimization, eval, checkpoint and log sections (src/train/recipe.h and each task's header describe every "
      "field). Examples:\n"
      "  tessera train --config recipes/text-tiny.json --out runs/text-tiny\n"
      "  tessera train --config recipes/image-codec-emoji.json --out runs/emoji --set optimization.minutes=5\n"
      "  tessera train --out runs/text-tiny --resume\n"
      "Data-parallel over processes or machines: start it with mpirun (Open MPI), and each of N ranks trains on "
      "its share of every batch (optimization.batch_size / micro_batches must split evenly over them); rank 0 "
      "writes everything:\n"
      "  mpirun -np 2 tessera train --config recipes/text-tiny.json --out runs/text-tiny-dp");
  cmd->add_option("--config", a->config,
                  "Recipe file (JSON); relative paths in it are relative to its folder. Optional with --resume, "
                  "which reads OUT/recipe.json, the recipe as the run started");
  cmd->add_option("--out", a->out,
                  "Output folder (created): the trained model or codec, checkpoint/, log.jsonl, loss.png, recipe.json")
      ->required();
  cmd->add_option("--set", a->sets,
                  "Set one recipe field, FIELD=VALUE with the field's dotted path, e.g. --set optimization.lr=1e-3 "
                  "or --set data.sampling=sequential (JSON values; anything else is a string; paths are relative "
                  "to the working directory); repeat for several. Checked like the file")
      ->expected(1)
      ->take_all();
  cmd->add_flag("--resume", a->resume,
                "Continue the run saved in OUT/checkpoint exactly where it stopped (the same model is required; "
                "a time budget continues where it was)");
  cmd->add_option("--stop-at", a->stop_at,
                  "Stop after this step with a checkpoint, though the schedule runs to the recipe's end "
                  "(split a long run into jobs; continue with --resume)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--peak-gflops", a->peak_gflops,
                  "The machine's GEMM peak in GFLOP/s for the MFU column (default: measured at start, under a second)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--shard-optimizer", a->shard_optimizer,
                "Under mpirun: ZeRO stage 1, each rank keeps the AdamW moments of its share of the parameters "
                "(whole tensors, balanced by size) and sends what it updated to the others");
  cmd->add_option("--collective-timeout", a->collective_timeout,
                  "Under mpirun: seconds a rank waits for the others in one collective before ending the job (a "
                  "rank that died or hangs); evaluations and checkpoints happen between collectives")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->callback([a] { run_train(*a); });
}

}  // namespace tessera::cli

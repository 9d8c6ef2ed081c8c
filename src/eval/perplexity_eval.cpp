// Held-out perplexity per modality and per task: the model's cross-entropy over the valid
// shards its recipe names (or those given), packed exactly as training evaluates them.
#include <cmath>
#include <filesystem>

#include "autograd/cross_entropy.h"
#include "autograd/engine.h"
#include "core/progress.h"
#include "data/packed_batches.h"
#include "eval/eval_tasks.h"
#include "eval/loss_breakdown.h"
#include "io/atomic_file.h"

namespace tessera::eval {

namespace {

namespace fs = std::filesystem;

// The recipe's data.valid, resolved against the model folder (where recipe.json sits).
std::vector<std::string> recipe_valid_shards(const std::string& model_dir) {
  const fs::path recipe = fs::path(model_dir) / "recipe.json";
  if (!fs::exists(recipe)) return {};
  const nlohmann::json r = nlohmann::json::parse(read_file(recipe.string()), nullptr, /*allow_exceptions=*/false);
  if (!r.is_object() || !r.contains("data") || !r["data"].contains("valid")) return {};
  std::vector<std::string> out;
  for (const auto& path : r["data"]["valid"]) {
    if (!path.is_string()) return {};
    const fs::path p(path.get<std::string>());
    out.push_back((p.is_absolute() ? p : fs::path(model_dir) / p).lexically_normal().string());
  }
  return out;
}

}  // namespace

void evaluate_perplexity(EvalRun& run) {
  std::vector<std::string> shards = run.options.valid_shards;
  if (shards.empty()) shards = recipe_valid_shards(run.model.dir);
  if (shards.empty()) return run.skip("perplexity", "no held-out shards (give --valid, or a model with recipe.json)");
  for (const std::string& s : shards) {
    if (!fs::exists(s)) return run.skip("perplexity", "the held-out shard '" + s + "' does not exist");
  }
  const int64_t B = 16, T = run.model.config.context_length;
  data::PackedBatches valid(shards, run.model.config.vocabulary, B, T, /*shuffle=*/false, 0);
  // Enough rows to go through every example once (rows are rarely full), at most the option.
  const int64_t batches = std::min(run.options.perplexity_batches, valid.num_ids() / (B * T) + 1);
  LossBreakdown breakdown;
  autograd::NoGradGuard no_grad;
  {
    ProgressBar bar("perplexity", batches, run.log);
    for (int64_t i = 0; i < batches; ++i) {
      const data::PackedBatch batch = valid.next();
      Tensor rows;
      cross_entropy(run.model.transformer->forward(batch.ids, 0, batch.mask), batch.targets, {}, &rows);
      breakdown.add(rows, batch.targets, batch.task, run.model.config.vocabulary);
      bar.update(i + 1);
    }
  }
  nlohmann::json& m = run.metrics["perplexity"];
  m["shards"] = shards;
  m["targets"] = breakdown.targets();
  m["all"] = {{"loss", breakdown.mean()}, {"perplexity", std::exp(breakdown.mean())}};
  std::vector<std::vector<std::string>> rows = {{"all", std::to_string(breakdown.targets()),
                                                 decimal(breakdown.mean(), 3), decimal(std::exp(breakdown.mean()), 3)}};
  for (const auto& [key, groups] : {std::pair{"modality", breakdown.modalities()}, {"task", breakdown.tasks()}}) {
    for (const LossGroup& g : groups) {
      m[key][g.name] = {{"loss", g.mean}, {"perplexity", std::exp(g.mean)}, {"targets", g.targets}};
      rows.push_back({std::string(key) + ": " + g.name, std::to_string(g.targets), decimal(g.mean, 3),
                      decimal(std::exp(g.mean), 3)});
    }
  }
  run.report.heading("Held-out perplexity");
  run.report.paragraph("Cross-entropy over " + std::to_string(batches) + " batches of " + std::to_string(B) +
                       " packed rows" +
                       " of the held-out shards, per target token, by the target's modality (control tokens count as "
                       "text) and by the task of its example.");
  run.report.table({"group", "targets", "loss (nats)", "perplexity"}, rows);
}

}  // namespace tessera::eval

#pragma once
// A tiny but complete training run for each task of the training loop, in a temporary
// folder: the data it needs (a text codec and shards, a synthetic image set, a synthetic
// speech set) and a recipe small enough that a step takes milliseconds. The loop's tests
// run the same checks (exact resumption, time budgets, divergence, output folders) on each.
#include <nlohmann/json.hpp>
#include <string>

#include "support/temp_dir.h"
#include "train/loop.h"
#include "train/recipe.h"

namespace tessera::testing {

class TinyRun {
 public:
  // `task`: "transformer", "image_codec" or "audio_codec" (train::task_names()), or "mixed":
  // the transformer over text, image and audio codes, its shards packed examples of every
  // task (data/mixed_example.h).
  explicit TinyRun(const std::string& task);

  // The recipe (steps 12, checkpoint.every 4, eval.every 6, log.every 1), its data paths
  // relative to the folder; edit it and write it again with write_recipe().
  const nlohmann::json& recipe() const { return recipe_; }
  void write_recipe(const nlohmann::json& recipe);
  std::string recipe_path() const { return dir.path("recipe.json"); }
  // The recipe file read back with `sets` ("optimization.lr=1e-3") applied.
  train::Recipe read(const std::vector<std::string>& sets = {}) const;
  std::string out(const std::string& name) const { return dir.path(name); }
  // What the task writes into its output folder: "model.safetensors", "image.safetensors", ...
  const std::string& artifact() const { return artifact_; }

  // Trains the recipe (with `sets`) into out(name) through the loop on one thread; what it
  // prints goes into `output` when given. `options` gives resume and stop_at.
  train::LoopResult train(const std::string& name, const std::vector<std::string>& sets = {},
                          std::string* output = nullptr, train::LoopOptions options = {}) const;

  TempDir dir;

 private:
  void write_mixed_data();

  nlohmann::json recipe_;
  std::string artifact_;
};

// The numbers after "| <field> " on every line of a training log, in order.
std::vector<double> logged(const std::string& log, const std::string& field);

}  // namespace tessera::testing

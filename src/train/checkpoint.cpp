#include "train/checkpoint.h"

#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/safetensors.h"

namespace tessera::train {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int64_t kTrainerStateVersion = 2;

std::string sibling(const std::string& out_dir, const char* suffix) {
  return (fs::path(out_dir) / (std::string("checkpoint") + suffix)).string();
}

// "/architecture/dim" -> "architecture.dim", the way every other message names a field.
std::string field_name(const std::string& pointer) {
  std::string name = pointer.substr(1);
  std::replace(name.begin(), name.end(), '/', '.');
  return name;
}

// The first field where two configs differ, with both values; "" when none does.
std::string first_difference(const json& saved, const json& wanted) {
  const json a = saved.flatten(), b = wanted.flatten();
  for (const auto& [path, value] : b.items()) {
    const json there = a.contains(path) ? a.at(path) : json();
    if (there != value)
      return str(field_name(path), " is ", there.dump(), " in the checkpoint, ", value.dump(), " here");
  }
  for (const auto& [path, value] : a.items()) {
    if (!b.contains(path)) return str(field_name(path), " is ", value.dump(), " in the checkpoint and absent here");
  }
  return "";
}

}  // namespace

void TrainerState::fields(Fields& f) {
  std::string format = "tessera-trainer-state";
  f.choice("format", format, {"tessera-trainer-state"}, true);
  int64_t version = kTrainerStateVersion;
  f.integer("version", version, {.min = kTrainerStateVersion, .max = kTrainerStateVersion, .required = true});
  f.integer("step", step, {.min = 0, .required = true});
  f.number("elapsed_s", elapsed_s, {.min = 0, .required = true});
  bool has_best = best_valid_loss.has_value();
  double best = best_valid_loss.value_or(0);
  f.optional_section("best", has_best, [&](Fields& b) { b.number("valid_loss", best, {.required = true}); });
  best_valid_loss = has_best ? std::optional<double>(best) : std::nullopt;
  f.string("recipe_fingerprint", recipe_fingerprint, true);
  f.integer("threads", threads, {.min = 1, .required = true});
  f.any("task", task, true);
}

std::string checkpoint_dir(const std::string& out_dir) { return sibling(out_dir, ""); }

bool recover_checkpoint(const std::string& out_dir) {
  const std::string current = checkpoint_dir(out_dir), old = sibling(out_dir, ".old"), fresh = sibling(out_dir, ".new");
  fs::remove_all(fresh);
  if (fs::exists(old)) {
    if (fs::exists(current)) {
      fs::remove_all(old);
    } else {
      fs::rename(old, current);
    }
  }
  return fs::exists(current);
}

void save_checkpoint(const std::string& out_dir, const Task& task, const nn::NamedTensors& optimizer_state,
                     const TrainerState& state) {
  const std::string current = checkpoint_dir(out_dir), old = sibling(out_dir, ".old"), fresh = sibling(out_dir, ".new");
  recover_checkpoint(out_dir);
  fs::create_directories(fresh);
  task.save(fresh);
  write_safetensors((fs::path(fresh) / "optimizer.safetensors").string(), optimizer_state,
                    {{"format", "tessera-optimizer"}});
  write_file_atomically((fs::path(fresh) / "trainer.json").string(), write_config(state).dump(2) + "\n");
  sync_directory(fresh);
  const bool had_one = fs::exists(current);
  if (had_one) fs::rename(current, old);
  fs::rename(fresh, current);
  sync_directory(out_dir);
  if (had_one) fs::remove_all(old);
}

TrainerState read_trainer_state(const std::string& out_dir) {
  const std::string path = (fs::path(checkpoint_dir(out_dir)) / "trainer.json").string();
  return read_config<TrainerState>(config_source(read_json_file(path), path));
}

void load_optimizer_state(const std::string& out_dir, optim::AdamW& optimizer) {
  optimizer.load_state(read_safetensors((fs::path(checkpoint_dir(out_dir)) / "optimizer.safetensors").string()));
}

void check_same_config(const json& saved, const json& wanted, const std::string& path) {
  const std::string difference = first_difference(saved, wanted);
  TESSERA_CHECK(difference.empty(), path, ": the checkpoint holds a different model: ", difference,
                "; resume with the recipe it was trained with, or train into a new --out directory");
}

}  // namespace tessera::train

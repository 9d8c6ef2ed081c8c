#include "train/checkpoint.h"

#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/safetensors.h"
#include "model/model_dir.h"

namespace tessera::train {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int kTrainerStateVersion = 1;

std::string sibling(const std::string& out_dir, const char* suffix) {
  return (fs::path(out_dir) / (std::string("checkpoint") + suffix)).string();
}

// "/architecture/dim" -> "architecture.dim", the way every other message names a field.
std::string field_name(const std::string& pointer) {
  std::string name = pointer.substr(1);
  std::replace(name.begin(), name.end(), '/', '.');
  return name;
}

// The first field where two configs differ, with both values, for the resume error.
std::string first_difference(const json& saved, const json& wanted) {
  const json a = saved.flatten(), b = wanted.flatten();
  for (const auto& [path, value] : b.items()) {
    const json there = a.contains(path) ? a.at(path) : json();
    if (there != value) return str(field_name(path), " is ", there.dump(), " in the checkpoint, ", value.dump(), " here");
  }
  for (const auto& [path, value] : a.items()) {
    if (!b.contains(path)) return str(field_name(path), " is ", value.dump(), " in the checkpoint and absent here");
  }
  return "";
}

}  // namespace

json TrainerState::to_json() const {
  return {{"format", "tessera-trainer-state"},
          {"version", kTrainerStateVersion},
          {"step", step},
          {"data", data},
          {"best_valid_loss", best_valid_loss ? json(*best_valid_loss) : json()},
          {"config_fingerprint", config_fingerprint},
          {"threads", threads}};
}

TrainerState TrainerState::from_json(const json& j, const std::string& source) {
  TESSERA_CHECK(j.is_object() && j.value("format", "") == "tessera-trainer-state", source,
                ": field 'format': expected \"tessera-trainer-state\", found ",
                j.is_object() && j.contains("format") ? j["format"].dump() : "nothing");
  TESSERA_CHECK(j.value("version", -1) == kTrainerStateVersion, source, ": field 'version': expected ",
                kTrainerStateVersion, ", found ", j.contains("version") ? j["version"].dump() : "nothing");
  TrainerState s;
  TESSERA_CHECK(j.contains("step") && j["step"].is_number_integer() && j["step"].get<int64_t>() >= 0, source,
                ": field 'step': expected a step count >= 0, found ", j.value("step", json()).dump());
  s.step = j["step"].get<int64_t>();
  TESSERA_CHECK(j.contains("data") && j["data"].is_object(), source,
                ": field 'data': expected the data stream's state, found ", j.value("data", json()).dump());
  s.data = j["data"];
  const json best = j.value("best_valid_loss", json());
  TESSERA_CHECK(best.is_null() || best.is_number(), source,
                ": field 'best_valid_loss': expected a number or null, found ", best.dump());
  if (best.is_number()) s.best_valid_loss = best.get<double>();
  s.config_fingerprint = j.value("config_fingerprint", "");
  s.threads = j.value("threads", 0);
  return s;
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

void save_checkpoint(const std::string& out_dir, const model::ModelConfig& config,
                     const model::Transformer& transformer, const optim::AdamW& optimizer,
                     const std::vector<const codecs::Codec*>& codecs, const TrainerState& state) {
  const std::string current = checkpoint_dir(out_dir), old = sibling(out_dir, ".old"), fresh = sibling(out_dir, ".new");
  recover_checkpoint(out_dir);
  model::save_model(fresh, config, transformer, codecs);
  write_safetensors((fs::path(fresh) / "optimizer.safetensors").string(), optimizer.state(),
                    {{"format", "tessera-optimizer"}});
  write_file_atomically((fs::path(fresh) / "trainer.json").string(), state.to_json().dump(2) + "\n");
  sync_directory(fresh);
  const bool had_one = fs::exists(current);
  if (had_one) fs::rename(current, old);
  fs::rename(fresh, current);
  sync_directory(out_dir);
  if (had_one) fs::remove_all(old);
}

TrainerState load_checkpoint(const std::string& out_dir, const model::ModelConfig& config,
                             model::Transformer& transformer, optim::AdamW& optimizer) {
  TESSERA_CHECK(recover_checkpoint(out_dir), checkpoint_dir(out_dir),
                ": no checkpoint to resume from (train without --resume first)");
  const std::string dir = checkpoint_dir(out_dir);
  const model::ModelConfig saved = model::load_model_config(dir);
  const std::string difference = first_difference(write_config(saved), write_config(config));
  TESSERA_CHECK(difference.empty(), (fs::path(dir) / "config.json").string(),
                ": the checkpoint holds a different model: ", difference,
                "; resume with the recipe and codec it was trained with, or train into a new --out directory");
  const Safetensors weights = read_safetensors((fs::path(dir) / "model.safetensors").string());
  transformer.load_parameters(weights.tensors, weights.source);
  optimizer.load_state(read_safetensors((fs::path(dir) / "optimizer.safetensors").string()));
  const std::string state_path = (fs::path(dir) / "trainer.json").string();
  json j;
  try {
    j = json::parse(read_file(state_path));
  } catch (const json::parse_error& e) {
    fail(state_path, ": not valid JSON: ", e.what());
  }
  return TrainerState::from_json(j, state_path);
}

}  // namespace tessera::train

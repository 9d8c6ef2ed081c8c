#include "support/tiny_recipes.h"

#include <regex>

#include "codecs/text_codec.h"
#include "data/text_corpus.h"
#include "io/atomic_file.h"
#include "support/one_thread.h"
#include "support/sample_text.h"
#include "support/synthetic_images.h"
#include "support/synthetic_mels.h"
#include "support/synthetic_speech.h"

namespace tessera::testing {

using nlohmann::json;

namespace {

// Shared by every task: 12 steps, so a run split at 6 crosses a checkpoint and an evaluation.
json shared_sections(const json& optimization) {
  json o = {{"steps", 12}, {"batch_size", 4}, {"lr", 3e-3}, {"warmup", 2}};
  o.update(optimization);
  return {{"optimization", o}, {"eval", {{"every", 6}}}, {"checkpoint", {{"every", 4}}}, {"log", {{"every", 1}}}};
}

}  // namespace

TinyRun::TinyRun(const std::string& task) {
  if (task == "transformer") {
    write_text(dir.path("corpus.txt"), sample_text_corpus(400));
    write_text(dir.path("valid.txt"), sample_text_corpus(40));
    codecs::TextCodecTrainOptions options;
    options.vocab_size = 300;
    const codecs::TextCodec codec = codecs::TextCodec::train(dir.path("corpus.txt"), options, dir.path("text.model"));
    data::write_text_shard(codec, {dir.path("corpus.txt")}, dir.path("train.shard"));
    data::write_text_shard(codec, {dir.path("valid.txt")}, dir.path("valid.shard"));
    recipe_ = {{"task", task},
               {"model", {{"dim", 16}, {"n_layers", 1}, {"n_heads", 2}, {"hidden", 32}, {"context_length", 16}}},
               {"codecs", {{"text", "text.model"}}},
               {"data", {{"train", {"train.shard"}}, {"valid", {"valid.shard"}}}},
               {"eval", {{"batches", 2}}}};
    recipe_.update(shared_sections({{"micro_batches", 2}}), true);
    artifact_ = "model.safetensors";
  } else if (task == "image_codec") {
    write_image_set(dir.path("images"), "train", smooth_blobs(24, 16, 16, 1, 1));
    write_image_set(dir.path("images"), "valid", smooth_blobs(8, 16, 16, 1, 2));
    recipe_ = {{"task", task},
               {"codec", tiny_codec_config(1, true).to_json()},
               {"data", {{"dir", "images"}, {"flip", true}}},
               {"eval", {{"images", 8}}},
               {"codebook", {{"keep_codes", 40}}}};
    recipe_.update(shared_sections(json::object()), true);
    artifact_ = "image.safetensors";
  } else if (task == "audio_codec") {
    write_speech_set(dir.path("speech"), {{"train", 6}, {"valid", 2}}, 1);
    recipe_ = {{"task", task},
               {"codec", tiny_audio_codec_config(2).to_json()},
               {"data", {{"dir", "speech"}, {"crop_frames", 16}}},
               {"eval", {{"clips", 2}}}};
    recipe_.update(shared_sections(json::object()), true);
    artifact_ = "audio.safetensors";
  } else {
    ADD_FAILURE() << "no tiny run for task " << task;
  }
  write_recipe(recipe_);
}

void TinyRun::write_recipe(const json& recipe) {
  recipe_ = recipe;
  write_file_atomically(recipe_path(), recipe.dump(2));
}

train::Recipe TinyRun::read(const std::vector<std::string>& sets) const {
  std::vector<Override> overrides;
  for (const std::string& s : sets) overrides.push_back(parse_override(s));
  return train::read_recipe(recipe_path(), overrides);
}

train::LoopResult TinyRun::train(const std::string& name, const std::vector<std::string>& sets, std::string* output,
                                 train::LoopOptions options) const {
  const OneThread one_thread;
  const train::Recipe recipe = read(sets);
  options.out_dir = out(name);
  options.peak_flops = 1e10;  // measuring the peak is not what these tests are about
  options.recipe = recipe.to_json(options.out_dir);
  std::FILE* log = std::tmpfile();
  options.out = log;
  const auto read_log = [&] {
    std::rewind(log);
    char buffer[4096];
    while (size_t n = std::fread(buffer, 1, sizeof buffer, log)) {
      if (output != nullptr) output->append(buffer, n);
    }
    std::fclose(log);
  };
  try {
    const std::unique_ptr<train::Task> task = recipe.config->make(recipe.loop, log);
    const train::LoopResult result = train::run_loop(recipe.loop, *task, options);
    read_log();
    return result;
  } catch (...) {
    read_log();
    throw;
  }
}

std::vector<double> logged(const std::string& log, const std::string& field) {
  std::vector<double> values;
  const std::regex pattern(R"(\| )" + field + R"( ([0-9.]+))");
  for (auto it = std::sregex_iterator(log.begin(), log.end(), pattern); it != std::sregex_iterator(); ++it) {
    values.push_back(std::stod((*it)[1]));
  }
  return values;
}

}  // namespace tessera::testing

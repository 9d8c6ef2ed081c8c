#include "support/tiny_recipes.h"

#include <algorithm>
#include <regex>
#include <sstream>

#include "codecs/audio/audio_codec.h"
#include "codecs/image/image_codec.h"
#include "codecs/text_codec.h"
#include "data/mixed_example.h"
#include "data/text_corpus.h"
#include "io/atomic_file.h"
#include "io/shard.h"
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
  } else if (task == "mixed") {
    write_mixed_data();
    recipe_ = {{"task", "transformer"},
               {"model", {{"dim", 16}, {"n_layers", 1}, {"n_heads", 2}, {"hidden", 32}, {"context_length", 48}}},
               {"codecs", {{"text", "text.model"}, {"image", "image.safetensors"}, {"audio", "audio.safetensors"}}},
               {"data", {{"train", {"train.shard"}}, {"valid", {"valid.shard"}}, {"packing", "examples"}}},
               {"loss", {{"weights", {{"image", 0.5}, {"audio", 0.25}}}}},
               {"eval", {{"batches", 2}}}};
    recipe_.update(shared_sections(json::object()), true);
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

void TinyRun::write_mixed_data() {
  write_text(dir.path("corpus.txt"), sample_text_corpus(300));
  codecs::TextCodecTrainOptions options;
  options.vocab_size = 300;
  const codecs::TextCodec text = codecs::TextCodec::train(dir.path("corpus.txt"), options, dir.path("text.model"));
  Rng rng(9);
  const codecs::ImageCodec image(tiny_codec_config(1, false), rng);
  const codecs::AudioCodec audio(tiny_audio_codec_config(2), rng);
  image.save(dir.path("image.safetensors"));
  audio.save(dir.path("audio.safetensors"));

  // Every task, with text from the sample corpus and media codes drawn at random: the loop's
  // tests need the shapes of real examples, not their meaning.
  const codecs::Vocabulary v = data::mixed_vocabulary({&text, &image, &audio});
  const data::ExampleWriter w(v);
  std::vector<std::string> lines;
  std::istringstream corpus(sample_text_corpus(40));
  for (std::string line; std::getline(corpus, line);) lines.push_back(line);
  const auto words = [&](size_t i) {
    std::vector<int32_t> ids;
    for (const int32_t id : text.encode(lines[i % lines.size()]))
      ids.push_back(v.to_global(codecs::Modality::text, id));
    ids.resize(std::min<size_t>(ids.size(), 8));
    return ids;
  };
  const auto codes = [&](codecs::Modality m, int64_t n) {
    std::vector<int32_t> ids;
    for (int64_t i = 0; i < n; ++i) ids.push_back(v.to_global(m, rng.below(v.size(m))));
    return ids;
  };
  const auto picture = [&] { return codes(codecs::Modality::image, image.codes_per_image()); };
  const auto speech = [&] { return codes(codecs::Modality::audio, 2 * (1 + rng.below(4))); };
  for (const auto& [name, count] : {std::pair<std::string, size_t>{"train", 48}, {"valid", 16}}) {
    std::vector<int32_t> shard;
    for (size_t i = 0; i < count; ++i) {
      const std::vector<int32_t> e = i % 8 == 0   ? w.text(words(i))
                                     : i % 8 == 1 ? w.caption(picture(), words(i))
                                     : i % 8 == 2 ? w.draw(words(i), picture())
                                     : i % 8 == 3 ? w.transcribe(speech(), words(i))
                                     : i % 8 == 4 ? w.speak(words(i), speech())
                                     : i % 8 == 5 ? w.draw_said(speech(), picture())
                                     : i % 8 == 6 ? w.say_image(picture(), speech())
                                                  : w.interleaved({words(i), words(i + 1)}, {picture()});
      shard.insert(shard.end(), e.begin(), e.end());
    }
    write_shard(dir.path(name + ".shard"), shard);
  }
}

void TinyRun::write_recipe(const json& recipe) {
  recipe_ = recipe;
  write_file_atomically(recipe_path(), recipe.dump(2));
}

train::Recipe TinyRun::read(const std::vector<std::string>& sets) const {
  return train::read_recipe(recipe_path(), parse_overrides(sets));
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

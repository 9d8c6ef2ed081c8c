#pragma once
// A complete tiny training setup in a temporary directory, for the trainer's tests: a text
// codec trained on a generated corpus, train and valid shards of it, and a recipe for a
// model small enough that a step takes milliseconds.
#include <nlohmann/json.hpp>
#include <string>

#include "codecs/text_codec.h"
#include "data/text_corpus.h"
#include "io/atomic_file.h"
#include "support/sample_text.h"
#include "support/temp_dir.h"

namespace tessera {

class TinyTraining {
 public:
  TinyTraining() {
    write_text(dir.path("corpus.txt"), sample_text_corpus(400));
    codecs::TextCodecTrainOptions options;
    options.vocab_size = 300;
    const codecs::TextCodec codec = codecs::TextCodec::train(dir.path("corpus.txt"), options, codec_path());
    write_text(dir.path("valid.txt"), sample_text_corpus(40));
    data::write_text_shard(codec, {dir.path("corpus.txt")}, dir.path("train.shard"));
    data::write_text_shard(codec, {dir.path("valid.txt")}, dir.path("valid.shard"));
    write_recipe(recipe());
  }

  // Shard paths are relative: the recipe's folder is their base.
  static nlohmann::json recipe() {
    return {{"model", {{"dim", 16}, {"n_layers", 1}, {"n_heads", 2}, {"hidden", 32}, {"context_length", 16}}},
            {"data", {{"train", {"train.shard"}}, {"valid", {"valid.shard"}}}},
            {"optimization", {{"steps", 20}, {"batch_size", 4}, {"lr", 3e-3}, {"warmup", 2}}},
            {"eval", {{"every", 5}, {"batches", 2}}},
            {"checkpoint", {{"every", 4}}}};
  }
  void write_recipe(const nlohmann::json& recipe) const {
    write_file_atomically(recipe_path(), recipe.dump(2));
  }

  std::string codec_path() const { return dir.path("text.model"); }
  std::string recipe_path() const { return dir.path("recipe.json"); }
  std::string out(const std::string& name) const { return dir.path(name); }

  TempDir dir;
};

}  // namespace tessera

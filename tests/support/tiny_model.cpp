#include "support/tiny_model.h"

#include <filesystem>

#include "codecs/text_codec.h"
#include "model/model_dir.h"
#include "support/sample_text.h"

namespace tessera::testing {

namespace fs = std::filesystem;

model::ModelConfig tiny_model_config(const TinyModelOptions& o) {
  model::ModelConfig config;
  config.transformer.dim = 32;
  config.transformer.n_layers = 2;
  config.transformer.n_heads = 4;
  config.transformer.hidden = 64;
  config.transformer.tied_embeddings = o.tied_embeddings;
  config.transformer.init_std = 0.5f;  // peaked logits, so greedy decoding is not a tie-break test
  config.context_length = o.context_length;
  config.vocabulary.text_size = o.text_vocab;
  config.codecs["text"] = "text.model";
  config.finalize("tiny model");
  return config;
}

model::ModelConfig write_tiny_model(const std::string& dir, const TinyModelOptions& o) {
  const fs::path corpus = fs::path(dir).parent_path() / (fs::path(dir).filename().string() + ".corpus.txt");
  write_text(corpus.string(), sample_text_corpus(300));
  fs::create_directories(dir);
  codecs::TextCodecTrainOptions train;
  train.vocab_size = o.text_vocab;
  train.seed = o.seed;
  const codecs::TextCodec codec =
      codecs::TextCodec::train(corpus.string(), train, (fs::path(dir) / "text.model").string());
  const model::ModelConfig config = tiny_model_config(o);
  Rng rng(o.seed);
  const model::Transformer transformer(config.transformer, rng);
  model::save_model(dir, config, transformer, {{"text.model", codec.serialized()}});
  return config;
}

}  // namespace tessera::testing

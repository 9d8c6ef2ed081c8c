#include "support/tiny_model.h"

#include <memory>
#include <vector>

#include "codecs/audio/audio_codec.h"
#include "codecs/image/image_codec.h"
#include "codecs/text_codec.h"
#include "model/model_dir.h"
#include "support/sample_text.h"
#include "support/synthetic_images.h"
#include "support/synthetic_mels.h"

namespace tessera::testing {

model::ModelConfig write_tiny_model(const std::string& dir, const TinyModelOptions& o) {
  write_text(dir + ".corpus.txt", sample_text_corpus(300));
  codecs::TextCodecTrainOptions train;
  train.vocab_size = o.text_vocab;
  train.seed = o.seed;
  const codecs::TextCodec text = codecs::TextCodec::train(dir + ".corpus.txt", train, dir + ".text.model");
  Rng rng(o.seed);
  std::unique_ptr<codecs::ImageCodec> image;
  std::unique_ptr<codecs::AudioCodec> audio;
  if (o.image_codec) image = std::make_unique<codecs::ImageCodec>(tiny_codec_config(1, false), rng);
  if (o.audio_codec) audio = std::make_unique<codecs::AudioCodec>(tiny_audio_codec_config(2), rng);

  model::ModelConfig config;
  config.transformer.dim = 32;
  config.transformer.n_layers = 2;
  config.transformer.n_heads = 4;
  config.transformer.hidden = 64;
  config.transformer.tied_embeddings = o.tied_embeddings;
  config.transformer.init_std = 0.5f;  // peaked logits, so greedy decoding is not a tie-break test
  config.context_length = o.context_length;
  config.vocabulary.text_size = text.vocab_size();
  config.vocabulary.image_size = image ? image->vocab_size() : 0;
  config.vocabulary.audio_size = audio ? audio->vocab_size() : 0;
  std::vector<const codecs::Codec*> codecs = {&text};
  if (image) codecs.push_back(image.get());
  if (audio) codecs.push_back(audio.get());
  for (const codecs::Codec* codec : codecs) config.add_codec(*codec);
  config.finalize("tiny model");

  Rng init(o.seed);
  const model::Transformer transformer(config.transformer, init);
  model::save_model(dir, config, transformer, codecs);
  return config;
}

}  // namespace tessera::testing

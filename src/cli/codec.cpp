// `tessera codec <action> <modality>`: train a codec, or run one on the command line.
// Actions are the parents and modalities their children, so each new codec (image,
// audio) adds a sibling of `text` under every action it supports.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/codec_actions.h"
#include "cli/commands.h"
#include "codecs/text_codec.h"
#include "core/error.h"
#include "io/atomic_file.h"

namespace tessera::cli {

namespace {

void print_ids(const std::vector<int32_t>& ids) {
  for (size_t i = 0; i < ids.size(); ++i) std::cout << (i ? " " : "") << ids[i];
  std::cout << '\n';
}

void add_text(const CodecActions& actions) {
  struct TrainArgs {
    std::string corpus, out;
    codecs::TextCodecTrainOptions options;
  };
  auto train = std::make_shared<TrainArgs>();
  CLI::App* t = actions.train->add_subcommand("text", "Train the SentencePiece BPE text codec (byte fallback)");
  t->add_option("--corpus", train->corpus, "Text file to learn from, one sentence or document per line")->required();
  t->add_option("--out", train->out, "Model file to write (conventionally text.model)")->required();
  t->add_option("--vocab-size", train->options.vocab_size,
                "Pieces in the codec, counting <unk> and the 256 byte pieces")
      ->capture_default_str();
  t->add_option("--character-coverage", train->options.character_coverage,
                "Share of the corpus's characters that get their own piece; rarer ones are spelled as bytes")
      ->capture_default_str();
  t->add_option("--max-sentences", train->options.max_sentences,
                "Lines sampled from the corpus for training (a uniform sample when it holds more)")
      ->capture_default_str();
  t->add_option("--seed", train->options.seed, "Seed for the sample of lines, so training is repeatable")
      ->capture_default_str();
  t->callback([train] {
    prepare_output_file(train->out, "--out");
    codecs::TextCodec::train(train->corpus, train->options, train->out);
  });

  struct EncodeArgs {
    std::string codec, text, file;
  };
  auto encode = std::make_shared<EncodeArgs>();
  CLI::App* e = actions.encode->add_subcommand("text", "Print the text codec's ids of a text, space separated");
  e->add_option("--codec", encode->codec, "Text codec model file (from `tessera codec train text`)")->required();
  CLI::Option* text = e->add_option("text", encode->text, "The text to encode");
  CLI::Option* file = e->add_option("--file", encode->file, "Encode this file's whole content instead");
  text->excludes(file);
  e->callback([encode, text, file] {
    TESSERA_CHECK(*text || *file, "codec encode text: give a TEXT to encode or --file");
    const codecs::TextCodec codec = codecs::TextCodec::load(encode->codec);
    print_ids(codec.encode(*file ? read_file(encode->file) : encode->text));
  });

  struct DecodeArgs {
    std::string codec;
    std::vector<int32_t> ids;
  };
  auto decode = std::make_shared<DecodeArgs>();
  CLI::App* d = actions.decode->add_subcommand("text", "Print the text of text codec ids, followed by a newline");
  d->add_option("--codec", decode->codec, "Text codec model file (from `tessera codec train text`)")->required();
  d->add_option("ids", decode->ids, "The codec's ids (local, 0 to its vocab size - 1)")->required();
  d->callback([decode] { std::cout << codecs::TextCodec::load(decode->codec).decode(decode->ids) << '\n'; });
}

}  // namespace

void add_codec_command(CLI::App& app) {
  CLI::App* codec = app.add_subcommand("codec", "Train the text codec, encode and decode with a codec, or measure one");
  codec->require_subcommand(1);
  const CodecActions actions{
      codec->add_subcommand("train",
                            "Train the text codec on a corpus (the image and audio codecs train with `tessera train` "
                            "from their recipes, e.g. recipes/image-codec-fashion.json)"),
      codec->add_subcommand("encode", "Turn media into the codec's ids"),
      codec->add_subcommand("decode", "Turn the codec's ids back into media"),
      codec->add_subcommand("eval", "Measure a codec's reconstructions on held-out media"),
  };
  for (CLI::App* action : {actions.train, actions.encode, actions.decode, actions.eval}) action->require_subcommand(1);
  add_text(actions);
  add_image_codec(actions);
  add_audio_codec(actions);
}

}  // namespace tessera::cli

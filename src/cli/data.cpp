// `tessera data <modality>`: turn a corpus into a shard of token ids once, for training.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "data/text_corpus.h"
#include "io/atomic_file.h"

namespace tessera::cli {

void add_data_command(CLI::App& app) {
  CLI::App* data = app.add_subcommand("data", "Encode a corpus into a shard of token ids for training");
  data->require_subcommand(1);

  struct TextArgs {
    std::string codec, out;
    std::vector<std::string> inputs;
  };
  auto args = std::make_shared<TextArgs>();
  CLI::App* text =
      data->add_subcommand("text", "Encode text files, each non-empty line as <bos> text <eos>, into one shard");
  text->add_option("--codec", args->codec, "Text codec model file (from `tessera codec train text`)")->required();
  text->add_option("--input", args->inputs, "Text file to encode; repeat for several, written in order")->required();
  text->add_option("--out", args->out, "Shard file to write")->required();
  text->callback([args] {
    prepare_output_file(args->out, "--out");
    const codecs::TextCodec codec = codecs::TextCodec::load(args->codec);
    const data::TextCorpusStats s = data::write_text_shard(codec, args->inputs, args->out);
    std::printf("%s: %lld lines (%lld empty skipped), %lld bytes, %lld text tokens, %lld ids, %.3f bytes/token\n",
                args->out.c_str(), static_cast<long long>(s.lines), static_cast<long long>(s.empty_lines),
                static_cast<long long>(s.bytes), static_cast<long long>(s.text_tokens), static_cast<long long>(s.ids),
                s.bytes_per_token());
  });
}

}  // namespace tessera::cli

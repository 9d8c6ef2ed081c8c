// `tessera data text`: a text corpus into a shard of token ids once, for training.
// `tessera data build`: the data sets into the shards of a mixed-modal model, by a recipe.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "data/corpus_build.h"
#include "data/text_corpus.h"
#include "io/atomic_file.h"

namespace tessera::cli {

namespace {

void add_data_build_command(CLI::App& data) {
  struct BuildArgs {
    std::string recipe, out;
    std::vector<std::string> sets;
    bool force = false;
  };
  auto args = std::make_shared<BuildArgs>();
  CLI::App* build = data.add_subcommand(
      "build", "Build the train and valid shards of a mixed-modal model from image, speech and text sets");
  build->footer(
      "The recipe names the codecs (text required; image and audio optional), the sources (image sets\n"
      "\"fashion\" and \"emoji\", the speech set, the text set), the examples per task for train\n"
      "(\"mixture\") and valid (counts, or one fraction), condition_dropout, context_length and the seed;\n"
      "src/data/corpus_recipe.h describes every field. Each example is one task's sequence\n"
      "(src/data/mixed_example.h): plain_text, caption, draw, transcribe, speak, draw_said, say_image,\n"
      "interleaved. Every image set goes through the one image codec, converted to its size and\n"
      "channels; texts a speech split lacks for draw_said and say_image are spoken by espeak-ng into\n"
      "OUT/grown/ (training voices for train, held-out voices for valid) and reused by a rebuild.\n"
      "\n"
      "Writes OUT/train.shard, OUT/valid.shard and OUT/corpus.json (the recipe as resolved, the codecs,\n"
      "the vocabulary layout the trainer must use, per task counts). An OUT built with another\n"
      "vocabulary is refused unless --force.\n"
      "\n"
      "Example:\n"
      "  tessera data build recipes/mm-tiny-data.json --out runs/mm-tiny/data\n"
      "  tessera data build recipes/mm-tiny-data.json --out /tmp/small --set mixture.caption=100 --set valid=0.1");
  build->add_option("recipe", args->recipe, "Recipe JSON file (see below)")->required();
  build->add_option("--out", args->out, "Folder to write (created)")->required();
  build->add_option("--set", args->sets,
                    "Set one recipe field, FIELD=VALUE with its dotted path, e.g. --set mixture.draw=500 (JSON "
                    "values; paths relative to the working directory)");
  build->add_flag("--force", args->force, "Replace shards built with another vocabulary layout");
  build->callback([args] {
    const data::CorpusRecipe recipe = data::read_corpus_recipe(args->recipe, parse_overrides(args->sets));
    data::build_corpus(recipe, args->out, {.force = args->force, .out = stdout});
  });
}

}  // namespace

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

  add_data_build_command(*data);
}

}  // namespace tessera::cli

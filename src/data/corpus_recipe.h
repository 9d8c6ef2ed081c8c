#pragma once
// The recipe of `tessera data build`: which codecs, which data sets, and how many examples of
// each task (data/mixed_example.h) go into the shards of a mixed-modal model.
//
//   {
//     "codecs": {"text": "runs/mm-tiny/text.model", "image": "runs/mm-tiny/image.safetensors",
//                "audio": "runs/mm-tiny/audio.safetensors"},
//     "sources": {"fashion": "data/image/fashion_mnist", "emoji": "data/image/openmoji",
//                 "speech": "data/audio/speech", "text": "data/text/wordnet"},
//     "mixture": {"caption": 3000, "draw": 3000, "transcribe": 2000, "speak": 2000, "draw_said": 500,
//                 "say_image": 500, "interleaved": 500, "plain_text": 2000},
//     "valid": {"caption": 200, ...},          or one fraction of every train count: "valid": 0.1
//     "condition_dropout": 0.1,
//     "context_length": 256,
//     "seed": 1,
//     "vocabulary": {"text": 4096, "control": [...], "image": 2176, "audio": 2000}     optional
//   }
//
// codecs.text is required; image and audio are optional, and each file must be a codec of its
// field's modality (a file names its own kind). sources.fashion and sources.emoji are image
// sets (data/image_set.h; any image set fits either role), sources.speech a speech set
// (data/speech_set.h), sources.text a folder of {train,valid}.txt, one document per line.
// mixture and valid count examples per task: a task left out is not built, and a task given a
// count needs its codecs and sources (caption, draw, interleaved: the image codec and an image
// set; transcribe, speak: the audio codec and the speech set; draw_said, say_image: both codecs,
// the speech set and an image set; plain_text: the text set), or the recipe is refused naming
// the task's field and what is missing. valid is required: held-out rows are how a run is
// judged. The train shard draws from each source's train split, the valid shard from its
// valid split.
//
// condition_dropout is the share of draw, speak and draw_said examples written without their
// condition, the unconditional model classifier-free guidance pushes against. context_length
// is the trainer's model.context_length: an example longer than context_length + 1 ids is
// skipped (and counted), since packing never cuts one. The seed fixes every draw.
//
// vocabulary, when given, is the layout the codecs must produce (the one a model was trained
// with, copied from its config.json): a codec of another size is refused before any work.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "codecs/codec_registry.h"
#include "codecs/vocabulary.h"
#include "data/mixed_example.h"
#include "io/fields.h"

namespace tessera::data {

struct CorpusRecipe {
  codecs::CodecFiles codec_files;
  std::string fashion, emoji, speech, text;             // source folders, "" for none
  std::array<int64_t, kExampleTasks> train{}, valid{};  // examples per ExampleTask
  double condition_dropout = 0.1;
  int64_t context_length = 256;
  int64_t seed = 1;
  bool has_vocabulary = false;
  codecs::Vocabulary vocabulary;  // when has_vocabulary
  std::string source;             // the file (and overrides), for messages

  void fields(Fields& f);
  // The image set folders the recipe names, with their roles: {"fashion", dir}, {"emoji", dir}.
  std::vector<std::pair<std::string, std::string>> image_sources() const;
};

// Reads and checks a recipe with `overrides` (--set mixture.caption=100) applied.
CorpusRecipe read_corpus_recipe(const std::string& path, const std::vector<Override>& overrides = {});

// Every task, in ExampleTask order.
const std::array<ExampleTask, kExampleTasks>& example_tasks();

}  // namespace tessera::data

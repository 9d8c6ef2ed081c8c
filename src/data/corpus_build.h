#pragma once
// `tessera data build RECIPE --out DIR`: the project's data sets -> the token shards of a
// mixed-modal model, in ONE vocabulary laid out by the recipe's codecs
// (data::mixed_vocabulary, the layout transformer_task.h trains on), each example in its
// task's sequence format (data/mixed_example.h). The recipe: data/corpus_recipe.h.
//
//   DIR/train.shard, DIR/valid.shard   the examples, shuffled (the held-out rows the trainer
//                                      reads in order then mix every task), each at most
//                                      context_length + 1 ids and beginning with its <bos>
//   DIR/corpus.json                    the recipe as resolved, each codec (file, kind,
//                                      vocabulary size), the vocabulary and each modality's
//                                      id range, each image set's conversion, and per split
//                                      per task: examples, ids, ids by modality, skipped,
//                                      unconditional
//   DIR/grown/*.wav                    speech spoken for texts a split lacks (grown_speech.h),
//                                      kept so a rebuild does not speak them again
//
// Each file is written atomically, and the shards and corpus.json only once both splits are
// built, so a build that fails leaves DIR's last corpus whole. Per split: the sources are
// loaded, the examples planned (data/corpus_plan.h), every image and clip they use encoded
// once (data/corpus_media.h: ONE image codec for every image set, each image converted to the
// codec's height, width and channels, so it costs the codec's codes_per_image whatever its
// own size), then the examples written and shuffled.
//
// The vocabulary is checked before any work: each codecs.X file must be a codec of modality
// X (an error names the field and both kinds); the layout must equal the recipe's
// "vocabulary" when it has one; and a DIR whose corpus.json has another layout is refused,
// naming both (its shards would not mix with the new ones), unless `force`. Trainers should
// check the same: corpus.json's "vocabulary" against their codecs' mixed_vocabulary.
//
// Deterministic: the same recipe and codecs give the same bytes (shards and corpus.json).
#include <array>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "codecs/vocabulary.h"
#include "data/corpus_recipe.h"

namespace tessera::data {

inline constexpr const char* kCorpusFormat = "tessera-corpus";
inline constexpr int64_t kCorpusVersion = 1;

struct CorpusBuildOptions {
  bool force = false;       // replace a DIR built with another vocabulary
  std::FILE* out = stdout;  // progress and the report
};

struct TaskCounts {
  int64_t examples = 0, ids = 0;
  int64_t skipped = 0;                       // longer than context_length + 1
  int64_t unconditional = 0;                 // written without their condition
  std::array<int64_t, 4> ids_by_modality{};  // by codecs::Modality: text, control, image, audio
};

struct SplitReport {
  std::array<TaskCounts, kExampleTasks> tasks{};  // by ExampleTask
  int64_t examples = 0, ids = 0;
  int64_t grown_clips = 0, grown_spoken = 0;  // clips grown for the split, and spoken by this build
};

// What one image set becomes in the image codec.
struct ImageFit {
  std::string role;        // "fashion", "emoji"
  std::string conversion;  // "28 x 28 x 1 -> 64 x 64 x 3 (resized, grey to RGB)"
  int64_t codes_per_image = 0;
};

struct CorpusReport {
  codecs::Vocabulary vocabulary;
  std::vector<ImageFit> image_fits;  // one per image set the build used
  SplitReport train, valid;
};

// Builds DIR (created) from `recipe`; errors name the recipe, its field, the file at fault.
CorpusReport build_corpus(const CorpusRecipe& recipe, const std::string& dir, const CorpusBuildOptions& options = {});

// "text 4096 | control 11 | image 2176 | audio 2000 (7283 ids)": a layout, for messages.
std::string describe_layout(const codecs::Vocabulary& vocabulary);
// The vocabulary field of a corpus.json; errors name the file and the field.
codecs::Vocabulary read_corpus_vocabulary(const std::string& corpus_json);

}  // namespace tessera::data

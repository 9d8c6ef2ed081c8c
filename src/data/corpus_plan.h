#pragma once
// What a corpus build draws its examples from, one split at a time, and the examples it
// draws (data/corpus_build.h encodes and writes them).
//
// Texts: an image's text is its caption cut to its first 12 words, exactly the text the
// speech set speaks for it (scripts/data/speech.py), so the caption, draw and speech tasks of
// an image all see one text. For an emoji that keeps its name and the first of its keywords
// ("grinning face: cheerful, cheery, face, grin, ..."): the keywords say what the picture
// shows beyond its name, and 12 words bound the length (a caption of 20-odd words would crowd
// a 256-id context beside 64 image codes). Interleaved documents name each image by the part
// of its caption before ':' with an article ("a dress", "an ankle boot", "a grinning face").
#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "data/corpus_recipe.h"
#include "data/image_set.h"
#include "data/speech_set.h"

namespace tessera::data {

// The first 12 words of `caption`, single-spaced: the text the speech set speaks for it.
std::string spoken_text(const std::string& caption);
// "a dress", "an ankle boot", "a grinning face": the caption's name with an article.
std::string image_name(const std::string& caption);

struct SplitSources {
  std::string split;                     // "train" or "valid"
  std::vector<std::string> image_roles;  // "fashion", "emoji": the recipe's fields
  std::vector<ImageSet> images;          // one per role
  std::vector<SpeechClip> clips;         // the speech set's clips, then the grown ones
  int64_t set_clips = 0;                 // how many of clips are the speech set's
  int64_t grown_spoken = 0;              // grown clips synthesized by this build
  std::vector<std::string> lines;        // the text set's non-empty lines
  // Per image role: each text spoken in this split with the images and clips of it, for the
  // speech-and-image tasks; empty unless they are asked for.
  struct Spoken {
    std::string text;
    std::vector<int64_t> images, clips;  // indices into images[role] and clips
  };
  std::vector<std::vector<Spoken>> spoken;
};

// Loads `split` of every source the counts need; with speech-and-image tasks asked for,
// grows the clips the split lacks into `grown_dir` (data/grown_speech.h).
SplitSources load_split_sources(const CorpusRecipe& recipe, const std::string& split,
                                const std::array<int64_t, kExampleTasks>& counts, const std::string& grown_dir,
                                std::FILE* out);

// One example before encoding: its task and what it is made of.
struct PlannedExample {
  ExampleTask task = ExampleTask::text;
  bool unconditional = false;                       // written without its condition
  std::vector<std::string> texts;                   // in the order they appear
  std::vector<std::pair<int64_t, int64_t>> images;  // (role, index), in order
  int64_t clip = -1;                                // into SplitSources::clips
};

// counts[task] examples of each task in task order, each drawn at random from `sources` by a
// generator of its own (seeded by the recipe's seed, the split and the task, so changing one
// task's count leaves the others' draws alone). An image example picks its set uniformly
// among the recipe's image sets. A pool that is empty for a task asked for is an error naming
// the source, the split and the recipe field.
std::vector<PlannedExample> plan_examples(const CorpusRecipe& recipe, const SplitSources& sources,
                                          const std::array<int64_t, kExampleTasks>& counts, const char* counts_field);

}  // namespace tessera::data

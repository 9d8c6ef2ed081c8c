#pragma once
// `tessera eval MODEL --out DIR`: a mixed-modal model measured on held-out data, task by
// task, by instruments it did not train, written as DIR/metrics.json (every number) and
// DIR/report.html (one self-contained page: tables, sample grids, audio players, loss
// curves, the recipe and the model card).
//
//   perplexity      held-out loss and perplexity per modality and per task (the valid shards)
//   image -> text   Fashion-MNIST: class accuracy of greedy captions and of ranking the ten
//                   class names by likelihood; emoji: top-1 / top-5 by likelihood among the
//                   test split's captions
//   text -> image   a judge CNN trained on real Fashion-MNIST only (image_judge.h) labels the
//                   drawings: the share with the prompted class, and the Fréchet distance to
//                   real test images on the judge's features; the image codec's
//                   reconstructions of real images measured the same way (its ceiling); both
//                   against the guidance scale
//   speech -> text  character and word error rates on held-out voices
//   text -> speech  a judge recognizer trained on real speech only (speech_judge.h)
//                   transcribes the generated speech: its error rates against the prompt,
//                   beside its rates on the real clips of the same texts and on the audio
//                   codec's reconstructions of them; the model's own recognizer as a second
//                   opinion
//   speed           time to first token, tokens/s, images/s and speech real-time factor, at
//                   batch 1 and batched
//
// Every task runs on the test splits (never trained or tuned on). A task whose modality the
// model lacks, or whose data or judge is missing, is reported as skipped with the reason.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace tessera::eval {

struct ModelEvalOptions {
  std::string fashion = "data/image/fashion_mnist";  // image set folders (test split)
  std::string emoji = "data/image/openmoji";
  std::string speech = "data/audio/speech";  // speech set folder (test split: held-out voices)
  std::string image_judge;                   // default: <fashion>/judge/judge.safetensors
  std::string speech_judge;                  // default: <speech>/judge/judge.safetensors
  std::vector<std::string> valid_shards;     // default: the model's recipe.json data.valid

  int64_t perplexity_batches = 64;  // packed rows of context length, 16 per batch
  int64_t fashion_images = 300;     // captioned and ranked
  int64_t emoji_images = 50;        // ranked among every test caption
  int64_t draws_per_class = 30;     // at the headline guidance scale
  int64_t sweep_draws_per_class = 10;
  std::vector<float> guidance_scales = {0, 1, 2, 3, 5};
  float guidance = 3;          // the headline scale for drawings
  float speech_guidance = 0;   // for text -> speech
  int64_t real_images = 1000;  // real test images for the Fréchet reference and codec ceiling
  int64_t speech_clips = 100;  // transcribed
  int64_t speak_texts = 60;    // spoken, then judged
  int64_t speed_repeats = 3;   // of each timing, the median kept
  uint64_t seed = 1;

  // A few minutes' worth of everything (CI's end-to-end check): small counts, one sweep point
  // beside 0.
  void make_quick();
};

// Measures the model folder `model_dir` and writes metrics.json and report.html into
// `out_dir` (created), with the sample grids and the guidance chart as PNGs beside them.
// Progress goes to `log`. Returns the metrics.json path.
std::string evaluate_model(const std::string& model_dir, const ModelEvalOptions& options, const std::string& out_dir,
                           std::FILE* log);

}  // namespace tessera::eval

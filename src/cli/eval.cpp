// `tessera eval MODEL --out DIR`: every evaluation task of eval/model_eval.h on held-out
// data, written as DIR/metrics.json and DIR/report.html.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "eval/model_eval.h"

namespace tessera::cli {

void add_eval_command(CLI::App& app) {
  auto options = std::make_shared<eval::ModelEvalOptions>();
  auto model = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto quick = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "eval", "Measure a mixed-modal model on held-out data and write metrics.json and a self-contained report.html");
  cmd->footer(
      "Tasks: held-out perplexity per modality and task; image -> text (Fashion-MNIST caption accuracy, greedy "
      "and by ranking the class names; emoji top-1/top-5 by likelihood); text -> image (a judge CNN trained on "
      "real Fashion-MNIST labels the drawings; Frechet distance on its features; the image codec's ceiling; a "
      "guidance sweep); speech -> text (CER/WER on held-out voices); text -> speech (a judge recognizer trained "
      "on real speech transcribes the generated speech, beside the real clips and the codec's reconstructions); "
      "latency and throughput. A task whose data, judge or codec is missing is reported as skipped. Judges are "
      "trained once: tessera train --config recipes/judge-fashion.json --out data/image/fashion_mnist/judge, and "
      "recipes/judge-speech.json --out data/audio/speech/judge.");
  cmd->add_option("model", *model, "Model directory (config.json, model.safetensors, codec files)")->required();
  cmd->add_option("--out", *out, "Folder for metrics.json and report.html (created)")->required();
  cmd->add_flag("--quick", *quick,
                "A few minutes' worth: small counts of everything, overriding the count options (an end-to-end check)");
  cmd->add_option("--fashion", options->fashion, "Fashion-MNIST image set folder (its test split is used)")
      ->capture_default_str();
  cmd->add_option("--emoji", options->emoji, "OpenMoji image set folder (test split)")->capture_default_str();
  cmd->add_option("--speech", options->speech, "Speech set folder (test split: held-out voices)")
      ->capture_default_str();
  cmd->add_option("--image-judge", options->image_judge, "Image judge file (default: FASHION/judge/judge.safetensors)");
  cmd->add_option("--speech-judge", options->speech_judge,
                  "Speech judge file (default: SPEECH/judge/judge.safetensors)");
  cmd->add_option("--valid", options->valid_shards,
                  "Held-out shards for perplexity (default: data.valid of the model's recipe.json)");
  cmd->add_option("--guidance", options->guidance, "Guidance scale of the headline drawings")->capture_default_str();
  cmd->add_option("--guidance-sweep", options->guidance_scales, "Guidance scales the drawings are measured at")
      ->capture_default_str();
  cmd->add_option("--speech-guidance", options->speech_guidance, "Guidance scale for text -> speech")
      ->capture_default_str();
  cmd->add_option("--fashion-images", options->fashion_images, "Fashion-MNIST test images captioned")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--emoji-images", options->emoji_images, "Emoji test images ranked")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--draws", options->draws_per_class, "Drawings per class at the headline guidance")
      ->capture_default_str()
      ->check(CLI::Range(2, 100000));
  cmd->add_option("--sweep-draws", options->sweep_draws_per_class, "Drawings per class at each other guidance scale")
      ->capture_default_str()
      ->check(CLI::Range(2, 100000));
  cmd->add_option("--speech-clips", options->speech_clips, "Test clips transcribed")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--speak-texts", options->speak_texts, "Test texts spoken and judged")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seed", options->seed, "Seed of every sample drawn")->capture_default_str();
  cmd->callback([=] {
    eval::ModelEvalOptions o = *options;
    if (*quick) o.make_quick();
    const std::string metrics = eval::evaluate_model(*model, o, *out, stderr);
    std::printf("metrics: %s\nreport:  %s\n", metrics.c_str(),
                (std::filesystem::path(*out) / "report.html").string().c_str());
  });
}

}  // namespace tessera::cli

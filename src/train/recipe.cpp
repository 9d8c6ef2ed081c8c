#include "train/recipe.h"

#include <cstdio>

#include "train/audio_codec_task.h"
#include "train/image_codec_task.h"
#include "train/image_judge_task.h"
#include "train/speech_judge_task.h"
#include "train/transformer_task.h"

namespace tessera::train {

void OptimizationConfig::fields(Fields& f) {
  f.integer("steps", steps, {.min = 1, .required = true});
  f.number("minutes", minutes, {.min = 0});
  f.integer("batch_size", batch_size, {.min = 1, .required = true});
  f.integer("micro_batches", micro_batches, {.min = 1});
  f.check(batch_size % micro_batches == 0, "micro_batches", str("a divisor of batch_size (", batch_size, ")"),
          micro_batches);
  f.number("lr", lr, {.min = 0, .above_min = true, .required = true});
  if (f.reading()) min_lr = lr / 10;
  f.number("min_lr", min_lr, {.min = 0, .max = lr});
  f.integer("warmup", warmup, {.min = 0, .max = steps});
  f.number("weight_decay", weight_decay, {.min = 0});
  f.number("beta1", beta1, {.min = 0, .max = 1, .below_max = true});
  f.number("beta2", beta2, {.min = 0, .max = 1, .below_max = true});
  f.number("eps", eps, {.min = 0, .above_min = true});
  f.number("clip", clip, {.min = 0});
  f.integer("seed", seed, {.min = 0});
}

void LoopConfig::fields(Fields& f) {
  f.section(
      "optimization", [&](Fields& o) { optimization.fields(o); }, true);
  f.section("eval", [&](Fields& e) { e.integer("every", eval_every, {.min = 0}); });
  f.section("checkpoint", [&](Fields& c) { c.integer("every", checkpoint_every, {.min = 0}); });
  f.section("log", [&](Fields& l) { l.integer("every", log_every, {.min = 1}); });
}

const std::vector<std::string>& task_names() {
  static const std::vector<std::string> names = {"transformer", "image_codec", "audio_codec", "image_judge",
                                                 "speech_judge"};
  return names;
}

namespace {

std::unique_ptr<TaskConfig> task_config(const std::string& name) {
  if (name == "transformer") return std::make_unique<TransformerTaskConfig>();
  if (name == "image_codec") return std::make_unique<ImageCodecTaskConfig>();
  if (name == "audio_codec") return std::make_unique<AudioCodecTaskConfig>();
  if (name == "image_judge") return std::make_unique<ImageJudgeTaskConfig>();
  if (name == "speech_judge") return std::make_unique<SpeechJudgeTaskConfig>();
  fail("task_config: no task \"", name, "\"");
}

}  // namespace

nlohmann::json Recipe::to_json(const std::string& base_dir) const {
  return write_fields(
      [&](Fields& f) {
        std::string name = task;
        f.choice("task", name, task_names());
        config->fields(f);
        LoopConfig shared = loop;
        shared.fields(f);
      },
      base_dir);
}

Recipe read_recipe(const std::string& path, const std::vector<Override>& overrides) {
  const ConfigSource source = load_config_source(path, overrides);
  Recipe recipe;
  recipe.source = path;
  read_fields(source, [&](Fields& f) {
    f.choice("task", recipe.task, task_names(), true);
    recipe.config = task_config(recipe.task);
    recipe.config->defaults(recipe.loop);
    recipe.config->fields(f);
    recipe.loop.fields(f);
  });
  return recipe;
}

std::string fingerprint(const nlohmann::json& j) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (const unsigned char byte : j.dump()) hash = (hash ^ byte) * 0x100000001b3ull;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

}  // namespace tessera::train

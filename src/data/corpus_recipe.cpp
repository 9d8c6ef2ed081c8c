#include "data/corpus_recipe.h"

#include <cmath>

namespace tessera::data {

const std::array<ExampleTask, kExampleTasks>& example_tasks() {
  static const std::array<ExampleTask, kExampleTasks> tasks = {
      ExampleTask::text,  ExampleTask::caption,   ExampleTask::draw,      ExampleTask::transcribe,
      ExampleTask::speak, ExampleTask::draw_said, ExampleTask::say_image, ExampleTask::interleaved};
  return tasks;
}

namespace {

// What `task` needs that the recipe does not name, as recipe fields ("codecs.audio and
// sources.speech"), or "" when it has everything.
std::string missing_for(const CorpusRecipe& r, ExampleTask task) {
  const bool images = !r.fashion.empty() || !r.emoji.empty();
  std::vector<std::string> missing;
  auto need = [&](bool present, const char* field) {
    if (!present) missing.emplace_back(field);
  };
  switch (task) {
    case ExampleTask::text:
      need(!r.text.empty(), "sources.text");
      break;
    case ExampleTask::caption:
    case ExampleTask::draw:
    case ExampleTask::interleaved:
      need(!r.codec_files.image.empty(), "codecs.image");
      need(images, "sources.fashion or sources.emoji");
      break;
    case ExampleTask::transcribe:
    case ExampleTask::speak:
      need(!r.codec_files.audio.empty(), "codecs.audio");
      need(!r.speech.empty(), "sources.speech");
      break;
    case ExampleTask::draw_said:
    case ExampleTask::say_image:
      need(!r.codec_files.image.empty(), "codecs.image");
      need(!r.codec_files.audio.empty(), "codecs.audio");
      need(!r.speech.empty(), "sources.speech");
      need(images, "sources.fashion or sources.emoji");
      break;
  }
  std::string out;
  for (size_t i = 0; i < missing.size(); ++i)
    out += (i == 0 ? "" : i + 1 == missing.size() ? " and " : ", ") + missing[i];
  return out;
}

// The per-task counts of one section ("mixture" or "valid"), each checked against what its
// task needs.
void task_counts(Fields& f, const CorpusRecipe& r, std::array<int64_t, kExampleTasks>& counts) {
  for (const ExampleTask task : example_tasks()) {
    int64_t& count = counts[static_cast<size_t>(task)];
    const char* name = example_task_name(task);
    f.integer(name, count, {.min = 0});
    const std::string missing = missing_for(r, task);
    f.check(count == 0 || missing.empty(), name, str("no ", name, " examples without ", missing), count);
  }
}

}  // namespace

void CorpusRecipe::fields(Fields& f) {
  f.section(
      "codecs", [&](Fields& c) { codec_files.fields(c); }, true);
  f.section(
      "sources",
      [&](Fields& s) {
        s.path("fashion", fashion);
        s.path("emoji", emoji);
        s.path("speech", speech);
        s.path("text", text);
      },
      true);
  f.section(
      "mixture", [&](Fields& m) { task_counts(m, *this, train); }, true);
  // "valid": one fraction of every train count, or counts per task (written back as counts).
  nlohmann::json valid_value;
  if (f.reading()) f.any("valid", valid_value, true);
  if (valid_value.is_number()) {
    double fraction = 0;
    f.number("valid", fraction, {.min = 0, .max = 1});
    for (size_t t = 0; t < train.size(); ++t) valid[t] = std::llround(fraction * static_cast<double>(train[t]));
  } else {
    f.section(
        "valid", [&](Fields& v) { task_counts(v, *this, valid); }, true);
  }
  f.number("condition_dropout", condition_dropout, {.min = 0, .max = 1});
  f.integer("context_length", context_length, {.min = 1});
  f.integer("seed", seed, {.min = 0});
  f.optional_section("vocabulary", has_vocabulary, [&](Fields& v) { vocabulary.fields(v); });
}

std::vector<std::pair<std::string, std::string>> CorpusRecipe::image_sources() const {
  std::vector<std::pair<std::string, std::string>> out;
  if (!fashion.empty()) out.emplace_back("fashion", fashion);
  if (!emoji.empty()) out.emplace_back("emoji", emoji);
  return out;
}

CorpusRecipe read_corpus_recipe(const std::string& path, const std::vector<Override>& overrides) {
  CorpusRecipe recipe = read_config<CorpusRecipe>(load_config_source(path, overrides));
  recipe.source = path;
  for (const Override& o : overrides) recipe.source += " --set " + o.path + "=" + o.text;
  return recipe;
}

}  // namespace tessera::data

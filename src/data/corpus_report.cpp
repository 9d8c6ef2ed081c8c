#include "data/corpus_report.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/progress.h"
#include "io/atomic_file.h"

namespace tessera::data {

using codecs::Modality;
using nlohmann::json;

namespace {

constexpr Modality kModalities[] = {Modality::text, Modality::control, Modality::image, Modality::audio};

json split_json(const SplitReport& s, const std::string& split) {
  json tasks = json::object();
  for (const ExampleTask task : example_tasks()) {
    const TaskCounts& t = s.tasks[static_cast<size_t>(task)];
    if (t.examples + t.skipped == 0) continue;
    json by_modality = json::object();
    for (const Modality m : kModalities)
      by_modality[codecs::modality_name(m)] = t.ids_by_modality[static_cast<size_t>(m)];
    tasks[example_task_name(task)] = {{"examples", t.examples},
                                      {"ids", t.ids},
                                      {"ids_by_modality", by_modality},
                                      {"skipped", t.skipped},
                                      {"unconditional", t.unconditional}};
  }
  return {{"shard", split + ".shard"},
          {"examples", s.examples},
          {"ids", s.ids},
          {"grown_clips", s.grown_clips},
          {"tasks", tasks}};
}

}  // namespace

void write_corpus_json(const CorpusRecipe& recipe, const std::string& dir,
                       const std::vector<const codecs::Codec*>& codecs, const CorpusReport& report) {
  const json resolved = write_config(recipe, dir);
  json codec_entries = json::object();
  for (const codecs::Codec* codec : codecs) {
    const char* name = codecs::modality_name(codec->modality());
    codec_entries[name] = {{"file", resolved.at("codecs").at(name)},
                           {"kind", codec->kind()},
                           {"vocab_size", codec->vocab_size()},
                           {"description", codec->description()}};
  }
  const codecs::Vocabulary& v = report.vocabulary;
  json ranges = json::object();
  for (const Modality m : kModalities) ranges[codecs::modality_name(m)] = {v.offset(m), v.offset(m) + v.size(m)};
  json images = json::object();
  for (const ImageFit& fit : report.image_fits) {
    images[fit.role] = {{"conversion", fit.conversion}, {"codes_per_image", fit.codes_per_image}};
  }
  const json corpus = {
      {"format", kCorpusFormat},
      {"version", kCorpusVersion},
      {"recipe", resolved},
      {"codecs", codec_entries},
      {"vocabulary", write_config(v)},
      {"ranges", ranges},
      {"images", images},
      {"splits", {{"train", split_json(report.train, "train")}, {"valid", split_json(report.valid, "valid")}}}};
  write_file_atomically((std::filesystem::path(dir) / "corpus.json").string(), corpus.dump(2) + "\n");
}

void print_corpus_table(const CorpusReport& report, std::FILE* out) {
  std::fprintf(out, "%-6s %-12s %9s %8s %7s %8s %8s %8s %8s %8s\n", "split", "task", "examples", "skipped", "uncond",
               "ids", "text", "control", "image", "audio");
  for (const auto& [split, s] : {std::pair<const char*, const SplitReport&>{"train", report.train},
                                 std::pair<const char*, const SplitReport&>{"valid", report.valid}}) {
    for (const ExampleTask task : example_tasks()) {
      const TaskCounts& t = s.tasks[static_cast<size_t>(task)];
      if (t.examples + t.skipped == 0) continue;
      std::fprintf(out, "%-6s %-12s %9lld %8lld %7lld %8s", split, example_task_name(task),
                   static_cast<long long>(t.examples), static_cast<long long>(t.skipped),
                   static_cast<long long>(t.unconditional), format_count(static_cast<double>(t.ids)).c_str());
      for (const int64_t n : t.ids_by_modality) std::fprintf(out, " %8s", format_count(static_cast<double>(n)).c_str());
      std::fprintf(out, "\n");
    }
    std::fprintf(out, "%-6s %-12s %9lld %8s %7s %8s  (%lld clips grown for the split, %lld spoken now)\n", split, "all",
                 static_cast<long long>(s.examples), "", "", format_count(static_cast<double>(s.ids)).c_str(),
                 static_cast<long long>(s.grown_clips), static_cast<long long>(s.grown_spoken));
  }
}

}  // namespace tessera::data

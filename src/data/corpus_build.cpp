#include "data/corpus_build.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "codecs/audio/audio_codec.h"
#include "codecs/codec_registry.h"
#include "codecs/image/image_codec.h"
#include "codecs/text_codec.h"
#include "core/progress.h"
#include "core/rng.h"
#include "data/corpus_media.h"
#include "data/corpus_plan.h"
#include "data/corpus_report.h"
#include "io/atomic_file.h"
#include "io/shard.h"

namespace tessera::data {

namespace fs = std::filesystem;
using codecs::Modality;
using nlohmann::json;

namespace {

// The recipe's codecs, each checked to be of its field's modality.
struct Codecs {
  std::unique_ptr<codecs::Codec> text, image, audio;
  const codecs::TextCodec& text_codec() const { return dynamic_cast<const codecs::TextCodec&>(*text); }
  const codecs::ImageCodec* image_codec() const { return dynamic_cast<const codecs::ImageCodec*>(image.get()); }
  const codecs::AudioCodec* audio_codec() const { return dynamic_cast<const codecs::AudioCodec*>(audio.get()); }
  std::vector<const codecs::Codec*> all() const {
    std::vector<const codecs::Codec*> out{text.get()};
    if (image) out.push_back(image.get());
    if (audio) out.push_back(audio.get());
    return out;
  }
};

std::unique_ptr<codecs::Codec> load_field_codec(const CorpusRecipe& r, const std::string& path, Modality m) {
  if (path.empty()) return nullptr;
  std::unique_ptr<codecs::Codec> codec = codecs::load_codec_file(path);
  const std::vector<std::string> kinds = codecs::codec_kinds(m);
  TESSERA_CHECK(codec->modality() == m, r.source, ": field 'codecs.", codecs::modality_name(m), "': expected ",
                m == Modality::text ? "a " : "an ", codecs::modality_name(m), " codec (\"", kinds.front(),
                "\"), found ", path, ", a \"", codec->kind(), "\" codec (", codecs::modality_name(codec->modality()),
                ")");
  return codec;
}

bool same_layout(const codecs::Vocabulary& a, const codecs::Vocabulary& b) {
  return write_config(a) == write_config(b);
}

// Refuses a layout other than the recipe's own "vocabulary", or than the one DIR's shards
// were built with.
void check_vocabulary(const CorpusRecipe& r, const codecs::Vocabulary& v, const std::string& dir, bool force) {
  TESSERA_CHECK(!r.has_vocabulary || same_layout(r.vocabulary, v), r.source, ": field 'vocabulary': expected ",
                describe_layout(r.vocabulary), ", found ", describe_layout(v), " laid out by the codecs");
  const std::string corpus = (fs::path(dir) / "corpus.json").string();
  if (force || !fs::exists(corpus)) return;
  const codecs::Vocabulary built = read_corpus_vocabulary(corpus);
  TESSERA_CHECK(same_layout(built, v), corpus, ": the shards there were built with the vocabulary ",
                describe_layout(built), ", but these codecs lay out ", describe_layout(v),
                ": a model reads one layout, so the shards of two must not mix. Build into another folder, or "
                "pass --force to replace them");
}

// Global ids of one codec's local ids.
std::vector<int32_t> global(const codecs::Vocabulary& v, Modality m, const std::vector<int32_t>& local) {
  std::vector<int32_t> out;
  out.reserve(local.size());
  for (const int32_t id : local) out.push_back(v.to_global(m, id));
  return out;
}

// One split: plan, encode every image and clip once, write the examples shuffled.
// `fits`: where the train split notes what each image set becomes; `shard`: the split's ids,
// written once both splits are built, so a failed build leaves DIR's shards as they were.
SplitReport build_split(const CorpusRecipe& r, const Codecs& c, const codecs::Vocabulary& v, const std::string& split,
                        const std::string& dir, std::FILE* out, std::vector<ImageFit>* fits,
                        std::vector<int32_t>& shard) {
  const bool train = split == "train";
  const auto& counts = train ? r.train : r.valid;
  const SplitSources sources = load_split_sources(r, split, counts, (fs::path(dir) / "grown").string(), out);
  for (size_t role = 0; fits && role < sources.images.size(); ++role) {
    const codecs::ImageCodec& codec = *c.image_codec();
    fits->push_back(
        {sources.image_roles[role], fit_description(sources.images[role], codec.config()), codec.codes_per_image()});
    std::fprintf(out, "%s images: %s: %lld codes per image\n", fits->back().role.c_str(),
                 fits->back().conversion.c_str(), static_cast<long long>(fits->back().codes_per_image));
  }
  const std::vector<PlannedExample> planned = plan_examples(r, sources, counts, train ? "mixture" : "valid");

  // Every image and clip the examples use, encoded once.
  std::vector<std::vector<std::vector<int32_t>>> image_codes(sources.images.size());
  std::vector<std::vector<int64_t>> image_indices(sources.images.size());
  std::vector<std::vector<int32_t>> clip_codes(sources.clips.size());
  std::vector<int64_t> clip_indices;
  for (const PlannedExample& e : planned) {
    for (const auto& [role, index] : e.images) image_indices[static_cast<size_t>(role)].push_back(index);
    if (e.clip >= 0) clip_indices.push_back(e.clip);
  }
  auto unique = [](std::vector<int64_t>& x) {
    std::sort(x.begin(), x.end());
    x.erase(std::unique(x.begin(), x.end()), x.end());
  };
  int64_t total_images = 0;
  for (auto& indices : image_indices) {
    unique(indices);
    total_images += static_cast<int64_t>(indices.size());
  }
  unique(clip_indices);
  auto timed = [&](const std::string& what, const std::chrono::steady_clock::time_point since) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
    std::fprintf(out, "%s: %s in %s\n", split.c_str(), what.c_str(), format_duration(seconds).c_str());
  };
  if (total_images > 0) {
    const auto since = std::chrono::steady_clock::now();
    ProgressBar bar(str("encode images (", split, ")"), total_images, out);
    int64_t done = 0;
    for (size_t role = 0; role < sources.images.size(); ++role) {
      image_codes[role].resize(static_cast<size_t>(sources.images[role].size()));
      const auto codes = encode_images(*c.image_codec(), sources.images[role], image_indices[role], bar, done);
      for (size_t i = 0; i < codes.size(); ++i) {
        image_codes[role][static_cast<size_t>(image_indices[role][i])] = global(v, Modality::image, codes[i]);
      }
    }
    bar.finish();
    timed(str(total_images, " images encoded"), since);
  }
  if (!clip_indices.empty()) {
    const auto since = std::chrono::steady_clock::now();
    std::vector<SpeechClip> clips;
    for (const int64_t i : clip_indices) clips.push_back(sources.clips[static_cast<size_t>(i)]);
    ProgressBar bar(str("encode speech (", split, ")"), static_cast<int64_t>(clips.size()), out);
    int64_t done = 0;
    // The shortest example around a clip is the unconditional speak, 5 ids more than the clip.
    const auto codes = encode_clips(*c.audio_codec(), clips, r.context_length + 1 - 5, bar, done);
    for (size_t i = 0; i < codes.size(); ++i) {
      clip_codes[static_cast<size_t>(clip_indices[i])] = global(v, Modality::audio, codes[i]);
    }
    bar.finish();
    timed(str(clips.size(), " clips encoded"), since);
  }

  // The examples, in their sequence formats.
  const ExampleWriter writer(v);
  SplitReport report;
  report.grown_clips = static_cast<int64_t>(sources.clips.size()) - sources.set_clips;
  report.grown_spoken = sources.grown_spoken;
  std::vector<std::vector<int32_t>> examples;
  for (const PlannedExample& e : planned) {
    std::vector<std::vector<int32_t>> texts, images;
    for (const std::string& t : e.texts) texts.push_back(c.text_codec().encode(t));  // text ids are global as they are
    for (const auto& [role, index] : e.images) {
      images.push_back(image_codes[static_cast<size_t>(role)][static_cast<size_t>(index)]);
    }
    const std::vector<int32_t> none, &audio = e.clip >= 0 ? clip_codes[static_cast<size_t>(e.clip)] : none;
    const std::vector<int32_t>& text = texts.empty() ? none : texts[0];
    const std::vector<int32_t>& image = images.empty() ? none : images[0];
    TaskCounts& t = report.tasks[static_cast<size_t>(e.task)];
    if (e.clip >= 0 && audio.empty()) {  // a clip too long for any example, left unencoded
      ++t.skipped;
      continue;
    }
    std::vector<int32_t> ids;
    switch (e.task) {
      case ExampleTask::text:
        ids = writer.text(text);
        break;
      case ExampleTask::caption:
        ids = writer.caption(image, text);
        break;
      case ExampleTask::draw:
        ids = writer.draw(text, image);
        break;
      case ExampleTask::transcribe:
        ids = writer.transcribe(audio, text);
        break;
      case ExampleTask::speak:
        ids = writer.speak(text, audio);
        break;
      case ExampleTask::draw_said:
        ids = e.unconditional ? writer.draw({}, image) : writer.draw_said(audio, image);
        break;
      case ExampleTask::say_image:
        ids = writer.say_image(image, audio);
        break;
      case ExampleTask::interleaved:
        ids = writer.interleaved(texts, images);
        break;
    }
    if (static_cast<int64_t>(ids.size()) > r.context_length + 1) {
      ++t.skipped;
      continue;
    }
    ++t.examples;
    t.unconditional += e.unconditional ? 1 : 0;
    t.ids += static_cast<int64_t>(ids.size());
    for (const int32_t id : ids) ++t.ids_by_modality[static_cast<size_t>(v.modality_of(id))];
    examples.push_back(std::move(ids));
  }

  // Shuffled, so that the held-out rows a trainer reads in order mix every task.
  Rng rng(static_cast<uint64_t>(r.seed) * 1000003 + (train ? 1 : 2));
  for (size_t i = examples.size(); i > 1; --i) {
    std::swap(examples[i - 1], examples[static_cast<size_t>(rng.below(static_cast<int64_t>(i)))]);
  }
  for (const auto& ids : examples) shard.insert(shard.end(), ids.begin(), ids.end());
  report.examples = static_cast<int64_t>(examples.size());
  report.ids = static_cast<int64_t>(shard.size());
  return report;
}

}  // namespace

std::string describe_layout(const codecs::Vocabulary& v) {
  std::string out;
  for (const Modality m : {Modality::text, Modality::control, Modality::image, Modality::audio}) {
    if (v.size(m) > 0) out += str(out.empty() ? "" : " | ", codecs::modality_name(m), " ", v.size(m));
  }
  return str(out, " (", v.total(), " ids)");
}

codecs::Vocabulary read_corpus_vocabulary(const std::string& corpus_json) {
  const json j = read_json_file(corpus_json);
  TESSERA_CHECK(j.is_object() && j.contains("vocabulary"), corpus_json,
                ": expected a corpus.json with a field 'vocabulary' (written by `tessera data build`), found none");
  return read_config<codecs::Vocabulary>(config_source(j.at("vocabulary"), corpus_json, "vocabulary"));
}

CorpusReport build_corpus(const CorpusRecipe& r, const std::string& dir, const CorpusBuildOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  std::FILE* out = options.out;
  prepare_output_dir(dir, "--out");
  Codecs c;
  c.text = load_field_codec(r, r.codec_files.text, Modality::text);
  c.image = load_field_codec(r, r.codec_files.image, Modality::image);
  c.audio = load_field_codec(r, r.codec_files.audio, Modality::audio);
  CorpusReport report;
  report.vocabulary = mixed_vocabulary(c.all());
  check_vocabulary(r, report.vocabulary, dir, options.force);

  std::fprintf(out, "vocabulary: %s\n", describe_layout(report.vocabulary).c_str());
  for (const codecs::Codec* codec : c.all()) {
    std::fprintf(out, "%s codec: %s\n", codecs::modality_name(codec->modality()), codec->description().c_str());
  }
  if (!c.image)
    std::fprintf(out, "no image codec: no image tasks (caption, draw, interleaved, draw_said, say_image)\n");
  if (!c.audio) std::fprintf(out, "no audio codec: no speech tasks (transcribe, speak, draw_said, say_image)\n");
  std::vector<int32_t> train, valid;
  report.train = build_split(r, c, report.vocabulary, "train", dir, out, &report.image_fits, train);
  report.valid = build_split(r, c, report.vocabulary, "valid", dir, out, nullptr, valid);
  write_shard((fs::path(dir) / "train.shard").string(), train);
  write_shard((fs::path(dir) / "valid.shard").string(), valid);
  write_corpus_json(r, dir, c.all(), report);
  print_corpus_table(report, out);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(out, "wrote %s/{train.shard, valid.shard, corpus.json} in %s\n", dir.c_str(),
               format_duration(seconds).c_str());
  return report;
}

}  // namespace tessera::data

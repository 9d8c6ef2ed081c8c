#include "data/speech_set.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/fields.h"

namespace tessera::data {

namespace {

constexpr int64_t kSpeechSetVersion = 1;
const char* const kSplits[] = {"train", "valid", "test"};

// speech.json
struct Header {
  int64_t sample_rate = 0;
  std::map<std::string, int64_t> splits = {{"train", 0}, {"valid", 0}, {"test", 0}};
  std::vector<std::string> held_out_voices;

  void fields(Fields& f) {
    std::string format;
    f.choice("format", format, {kSpeechSetFormat}, true);
    int64_t version = 0, seed = 0;
    f.integer("version", version, {.min = kSpeechSetVersion, .max = kSpeechSetVersion, .required = true});
    f.integer("sample_rate", sample_rate, {.min = 1, .required = true});
    f.section(
        "splits",
        [&](Fields& s) {
          for (auto& [name, count] : splits) s.integer(name.c_str(), count, {.min = 0, .required = true});
        },
        true);
    f.strings("held_out_voices", held_out_voices, true);
    f.integer("seed", seed, {.min = 0, .required = true});
  }
};

// One line of <split>.jsonl.
struct ClipLine {
  SpeechClip clip;

  void fields(Fields& f) {
    f.string("audio", clip.audio_path, true);
    f.check(!clip.audio_path.empty() && std::filesystem::path(clip.audio_path).is_relative(), "audio",
            "a path relative to the set's folder", "\"" + clip.audio_path + "\"");
    f.string("text", clip.text, true);
    f.check(!clip.text.empty(), "text", "the spoken text", "\"\"");
    f.string("voice", clip.voice, true);
    f.integer("speed", clip.speed, {.min = 1, .required = true});
    f.integer("pitch", clip.pitch, {.min = 0, .max = 99, .required = true});
  }
};

// The manifest's lines; a final newline ends the last line rather than starting another.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace

SpeechSet SpeechSet::load(const std::string& dir, const std::string& split) {
  TESSERA_CHECK(std::find(std::begin(kSplits), std::end(kSplits), split) != std::end(kSplits), dir, ": unknown split '",
                split, "': expected train, valid or test");
  const std::string header_path = (std::filesystem::path(dir) / "speech.json").string();
  const Header header = read_config<Header>(load_config_source(header_path));
  SpeechSet set;
  set.sample_rate_ = header.sample_rate;
  set.held_out_voices_ = header.held_out_voices;
  const int64_t expected = header.splits.at(split);
  const std::vector<std::string>& held_out = header.held_out_voices;

  // valid and test measure voices never trained on, so the manifest must keep to that.
  const bool needs_held_out = split != "train";
  const std::string manifest_path = (std::filesystem::path(dir) / (split + ".jsonl")).string();
  const std::vector<std::string> lines = lines_of(read_file(manifest_path));
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string where = str(manifest_path, ": line ", i + 1);
    TESSERA_CHECK(!lines[i].empty(), where, ": empty line: expected one JSON object per clip");
    const nlohmann::json line = nlohmann::json::parse(lines[i], nullptr, false);
    TESSERA_CHECK(!line.is_discarded(), where, ": not valid JSON: ", lines[i].substr(0, 80));
    SpeechClip clip = read_config<ClipLine>(config_source(line, where)).clip;
    const bool is_held_out = std::find(held_out.begin(), held_out.end(), clip.voice) != held_out.end();
    TESSERA_CHECK(is_held_out == needs_held_out, where, ": field 'voice': \"", clip.voice, "\" is ",
                  is_held_out ? "" : "not ", "one of the held-out voices of ", header_path, ", but the ", split,
                  " split is spoken ", needs_held_out ? "only by" : "never by", " them");
    clip.audio_path = (std::filesystem::path(dir) / clip.audio_path).string();
    set.clips_.push_back(std::move(clip));
  }
  TESSERA_CHECK(set.size() == expected, manifest_path, ": expected ", expected, " clips (field 'splits.", split,
                "' of ", header_path, "), found ", set.size(), " lines");
  return set;
}

const SpeechClip& SpeechSet::clip(int64_t index) const {
  TESSERA_CHECK(index >= 0 && index < size(), "speech set: clip index ", index, " out of range: the split holds ",
                size(), " clips");
  return clips_[static_cast<size_t>(index)];
}

Audio SpeechSet::audio(int64_t index, int64_t sample_rate) const {
  return read_audio(clip(index).audio_path, AudioReadOptions{sample_rate, AudioReadOptions{}.max_seconds});
}

}  // namespace tessera::data

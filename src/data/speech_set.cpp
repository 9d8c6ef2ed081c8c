#include "data/speech_set.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/json_fields.h"

namespace tessera::data {

namespace {

using nlohmann::json;

constexpr int64_t kSpeechSetVersion = 1;
const char* const kSplits[] = {"train", "valid", "test"};

json parse_json(const std::string& text, const std::string& where) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    fail(where, ": not valid JSON: ", e.what());
  }
}

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
  JsonFields header(parse_json(read_file(header_path), header_path), header_path, "");
  const std::string format = header.string("format");
  TESSERA_CHECK(format == kSpeechSetFormat, header.where("format"), "expected \"", kSpeechSetFormat, "\", found \"",
                format, "\"");
  const int64_t version = header.integer("version", 0);
  TESSERA_CHECK(version == kSpeechSetVersion, header.where("version"), "expected ", kSpeechSetVersion, ", found ",
                version);
  SpeechSet set;
  set.sample_rate_ = header.integer("sample_rate", 1);
  JsonFields splits = header.object("splits");
  int64_t expected = 0;
  for (const char* name : kSplits) {
    const int64_t count = splits.integer(name, 0);
    if (name == split) expected = count;
  }
  splits.check_all_read();
  const std::vector<std::string> held_out = header.strings("held_out_voices");
  header.integer("seed", 0);
  header.check_all_read();

  // valid and test measure voices never trained on, so the manifest must keep to that.
  const bool needs_held_out = split != "train";
  const std::string manifest_path = (std::filesystem::path(dir) / (split + ".jsonl")).string();
  const std::vector<std::string> lines = lines_of(read_file(manifest_path));
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string where = str(manifest_path, ": line ", i + 1);
    TESSERA_CHECK(!lines[i].empty(), where, ": empty line: expected one JSON object per clip");
    JsonFields fields(parse_json(lines[i], where), where, "");
    SpeechClip clip;
    const std::string audio = fields.string("audio");
    TESSERA_CHECK(!audio.empty() && std::filesystem::path(audio).is_relative(), fields.where("audio"),
                  "expected a path relative to the set's folder, found \"", audio, "\"");
    clip.audio_path = (std::filesystem::path(dir) / audio).string();
    clip.text = fields.string("text");
    TESSERA_CHECK(!clip.text.empty(), fields.where("text"), "expected the spoken text, found \"\"");
    clip.voice = fields.string("voice");
    const bool is_held_out = std::find(held_out.begin(), held_out.end(), clip.voice) != held_out.end();
    TESSERA_CHECK(is_held_out == needs_held_out, fields.where("voice"), "\"", clip.voice, "\" is ",
                  is_held_out ? "" : "not ", "one of the held-out voices of ", header_path, ", but the ", split,
                  " split is spoken ", needs_held_out ? "only by" : "never by", " them");
    clip.speed = fields.integer("speed", 1);
    clip.pitch = fields.integer("pitch", 0);
    TESSERA_CHECK(clip.pitch <= 99, fields.where("pitch"), "expected espeak-ng's 0 to 99, found ", clip.pitch);
    fields.check_all_read();
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

#include "codecs/vocabulary.h"

#include <nlohmann/json.hpp>
#include <set>

#include "core/error.h"

namespace tessera::codecs {

const char* modality_name(Modality m) {
  switch (m) {
    case Modality::text: return "text";
    case Modality::control: return "control";
    case Modality::image: return "image";
    case Modality::audio: return "audio";
  }
  return "?";
}

const std::vector<std::string>& default_control_tokens() {
  static const std::vector<std::string> tokens = {"<bos>",     "<eos>",  "<pad>",        "<image>",
                                                  "</image>",  "<audio>", "</audio>",     "<caption>",
                                                  "<draw>",    "<transcribe>", "<speak>"};
  return tokens;
}

int64_t Vocabulary::size(Modality m) const {
  switch (m) {
    case Modality::text: return text_size;
    case Modality::control: return static_cast<int64_t>(control_tokens.size());
    case Modality::image: return image_size;
    case Modality::audio: return audio_size;
  }
  return 0;
}

int64_t Vocabulary::offset(Modality m) const {
  int64_t at = 0;
  for (Modality before : {Modality::text, Modality::control, Modality::image, Modality::audio}) {
    if (before == m) return at;
    at += size(before);
  }
  return at;
}

int64_t Vocabulary::total() const { return offset(Modality::audio) + audio_size; }

int32_t Vocabulary::to_global(Modality m, int64_t local) const {
  TESSERA_CHECK(local >= 0 && local < size(m), "vocabulary: ", modality_name(m), " id ", local,
                " is outside the codec's range [0, ", size(m), ")");
  return static_cast<int32_t>(offset(m) + local);
}

std::pair<Modality, int64_t> Vocabulary::to_local(int32_t global) const {
  TESSERA_CHECK(global >= 0 && global < total(), "vocabulary: token id ", global, " is outside the vocabulary [0, ",
                total(), ")");
  for (Modality m : {Modality::text, Modality::control, Modality::image, Modality::audio}) {
    if (global < offset(m) + size(m)) return {m, global - offset(m)};
  }
  fail("vocabulary: unreachable");
}

int32_t Vocabulary::control(std::string_view name) const {
  for (size_t i = 0; i < control_tokens.size(); ++i) {
    if (control_tokens[i] == name) return to_global(Modality::control, static_cast<int64_t>(i));
  }
  fail("vocabulary: no control token '", name, "' (this model's control tokens are listed in its config.json)");
}

std::string Vocabulary::describe(int32_t global) const {
  const auto [m, local] = to_local(global);
  if (m == Modality::control) return control_tokens[static_cast<size_t>(local)];
  return str("<", modality_name(m), ":", local, ">");
}

nlohmann::json Vocabulary::to_json() const {
  return {{"text", text_size}, {"control", control_tokens}, {"image", image_size}, {"audio", audio_size}};
}

namespace {

int64_t read_size(const nlohmann::json& j, const char* key, const std::string& source, const std::string& field) {
  TESSERA_CHECK(j.contains(key), source, ": field '", field, ".", key, "': expected a count, found nothing");
  const nlohmann::json& v = j.at(key);
  TESSERA_CHECK(v.is_number_integer() && v.get<int64_t>() >= 0, source, ": field '", field, ".", key,
                "': expected a non-negative integer, found ", v.dump());
  return v.get<int64_t>();
}

}  // namespace

Vocabulary Vocabulary::from_json(const nlohmann::json& j, const std::string& source, const std::string& field) {
  TESSERA_CHECK(j.is_object(), source, ": field '", field, "': expected an object, found ", j.dump());
  Vocabulary v;
  v.text_size = read_size(j, "text", source, field);
  v.image_size = read_size(j, "image", source, field);
  v.audio_size = read_size(j, "audio", source, field);
  TESSERA_CHECK(j.contains("control") && j.at("control").is_array(), source, ": field '", field,
                ".control': expected a list of token names, found ",
                j.contains("control") ? j.at("control").dump() : std::string("nothing"));
  v.control_tokens.clear();
  std::set<std::string> seen;
  for (const auto& t : j.at("control")) {
    TESSERA_CHECK(t.is_string(), source, ": field '", field, ".control': expected token names, found ", t.dump());
    TESSERA_CHECK(seen.insert(t.get<std::string>()).second, source, ": field '", field,
                  ".control': token ", t.dump(), " appears twice");
    v.control_tokens.push_back(t.get<std::string>());
  }
  TESSERA_CHECK(v.total() <= INT32_MAX, source, ": field '", field, "': the vocabulary holds ", v.total(),
                " ids, more than 32-bit ids can address");
  return v;
}

}  // namespace tessera::codecs

#include "codecs/vocabulary.h"

#include <set>

#include "core/error.h"

namespace tessera::codecs {

const char* modality_name(Modality m) {
  switch (m) {
    case Modality::text:
      return "text";
    case Modality::control:
      return "control";
    case Modality::image:
      return "image";
    case Modality::audio:
      return "audio";
  }
  return "?";
}

const std::vector<std::string>& default_control_tokens() {
  static const std::vector<std::string> tokens = {"<bos>",    "<eos>",        "<pad>",    "<image>",
                                                  "</image>", "<audio>",      "</audio>", "<caption>",
                                                  "<draw>",   "<transcribe>", "<speak>"};
  return tokens;
}

int64_t Vocabulary::size(Modality m) const {
  switch (m) {
    case Modality::text:
      return text_size;
    case Modality::control:
      return static_cast<int64_t>(control_tokens.size());
    case Modality::image:
      return image_size;
    case Modality::audio:
      return audio_size;
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

void Vocabulary::fields(Fields& f) {
  constexpr int64_t kMaxIds = INT32_MAX;  // ids are i32 everywhere: shards, batches, the embedding
  f.integer("text", text_size, {.min = 0, .max = kMaxIds, .required = true});
  f.strings("control", control_tokens, true);
  std::set<std::string> seen;
  for (const std::string& name : control_tokens) {
    f.check(seen.insert(name).second, "control", "distinct token names", str("\"", name, "\" twice"));
  }
  f.integer("image", image_size, {.min = 0, .max = kMaxIds, .required = true});
  f.integer("audio", audio_size, {.min = 0, .max = kMaxIds, .required = true});
  f.check(total() <= kMaxIds, "audio", str("at most ", kMaxIds, " ids in all (32-bit ids)"), str(total(), " in all"));
}

}  // namespace tessera::codecs

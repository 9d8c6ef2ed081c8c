#include "model/model_config.h"

#include <vector>

#include "codecs/codec_registry.h"
#include "core/error.h"

namespace tessera::model {

namespace {

using codecs::Modality;

std::string range_text(int64_t first, int64_t end) { return str("[", first, ", ", end, "]"); }

// Model folders are copied and moved whole, so a codec file must live inside the folder.
bool plain_file_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
}

}  // namespace

std::string codec_file_name(Modality m) {
  switch (m) {
    case Modality::text:
      return "text.model";
    case Modality::image:
      return "image.safetensors";
    case Modality::audio:
      return "audio.safetensors";
    case Modality::control:
      break;
  }
  fail("model folder: control tokens have no codec file");
}

void CodecEntry::fields(Fields& f, Modality m) {
  f.string("file", file, true);
  f.check(plain_file_name(file), "file", "a file name inside the model folder", str("\"", file, "\""));
  f.choice("kind", kind, codecs::codec_kinds(m), true);
  std::vector<int64_t> ids = {first, end};
  f.integers("ids", ids, {.min = 0, .required = true});
  std::string found;
  for (const int64_t id : ids) found += str(found.empty() ? "[" : ", ", id);
  f.check(ids.size() == 2 && ids[0] < ids[1], "ids", "[first, end] with first < end (the ids first .. end - 1)",
          found + "]");
  first = ids[0];
  end = ids[1];
}

void ModelConfig::fields(Fields& f) {
  std::string format = kModelFormat;
  f.choice("format", format, {kModelFormat}, true);
  int64_t version = kModelFormatVersion;  // what is written; reading learns the file's
  f.integer("version", version, {.min = 1, .max = kModelFormatVersion, .required = true});
  f.section(
      "architecture",
      [&](Fields& a) {
        transformer.fields(a, true);
        a.integer("context_length", context_length, {.min = 1, .required = true});
      },
      true);
  f.section(
      "vocabulary", [&](Fields& v) { vocabulary.fields(v); }, true);
  f.check(vocabulary.total() > 0, "vocabulary", "at least one token", "none");
  transformer.vocab_size = vocabulary.total();

  // Whether an entry of modality m over [first, end) fits the vocabulary, checked as `key` of `c`.
  const auto check_range = [&](Fields& c, const char* key, Modality m, int64_t first, int64_t end) {
    const char* name = codecs::modality_name(m);
    const int64_t offset = vocabulary.offset(m), size = vocabulary.size(m);
    c.check(size > 0, key, str("no ", name, " codec (the vocabulary has no ", name, " ids)"), range_text(first, end));
    c.check(first == offset && end == offset + size, key,
            str(range_text(offset, offset + size), ", the vocabulary's ", name, " range"), range_text(first, end));
  };
  f.section(
      "codecs",
      [&](Fields& c) {
        for (const Modality m : codecs::codec_modalities()) {
          const char* name = codecs::modality_name(m);
          bool present = codecs.count(m) > 0;
          if (version == 1) {  // "text": "text.model"
            std::string file = present ? codecs.at(m).file : "";
            c.string(name, file);
            present = !file.empty();
            if (present && c.reading()) {
              c.check(plain_file_name(file), name, "a file name inside the model folder", str("\"", file, "\""));
              const int64_t first = vocabulary.offset(m), end = first + vocabulary.size(m);
              check_range(c, name, m, first, end);
              codecs[m] = {file, codecs::codec_kinds(m).front(), first, end};
            }
          } else {
            CodecEntry entry = present ? codecs.at(m) : CodecEntry{};
            c.optional_section(name, present, [&](Fields& e) {
              entry.fields(e, m);
              check_range(e, "ids", m, entry.first, entry.end);
            });
            if (present) codecs[m] = entry;
          }
          c.check(present || vocabulary.size(m) == 0, name,
                  str("a codec for the vocabulary's ", vocabulary.size(m), " ", name, " ids"), "none");
        }
      },
      true);
}

void ModelConfig::add_codec(const codecs::Codec& codec) {
  const Modality m = codec.modality();
  const int64_t offset = vocabulary.offset(m), size = vocabulary.size(m);
  TESSERA_CHECK(size == codec.vocab_size(), "model config: the ", codecs::modality_name(m), " codec (\"", codec.kind(),
                "\") has ", codec.vocab_size(), " ids, but the vocabulary's ", codecs::modality_name(m),
                " range holds ", size, " (lay the vocabulary out from the codecs first)");
  codecs[m] = {codec_file_name(m), codec.kind(), offset, offset + size};
}

void ModelConfig::finalize(const std::string& source) {
  transformer.vocab_size = vocabulary.total();
  *this = read_config<ModelConfig>(config_source(write_config(*this), source));
}

}  // namespace tessera::model

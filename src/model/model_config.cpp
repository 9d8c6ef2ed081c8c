#include "model/model_config.h"

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace tessera::model {

nlohmann::json ModelConfig::to_json() const {
  const TransformerConfig& t = transformer;
  return {{"format", "tessera-model"},
          {"version", kModelFormatVersion},
          {"architecture",
           {{"dim", t.dim},
            {"n_layers", t.n_layers},
            {"n_heads", t.n_heads},
            {"hidden", t.hidden},
            {"qk_norm", t.qk_norm},
            {"tied_embeddings", t.tied_embeddings},
            {"rope_theta", t.rope_theta},
            {"norm_eps", t.norm_eps},
            {"init_std", t.init_std},
            {"context_length", context_length}}},
          {"vocabulary", vocabulary.to_json()},
          {"codecs", codecs}};
}

namespace {

// Reads obj[key] as T, naming source and the field's path when it is absent or mistyped.
struct FieldReader {
  const nlohmann::json& obj;
  const std::string& source;
  std::string path;

  const nlohmann::json& at(const char* key, const char* expected) const {
    TESSERA_CHECK(obj.contains(key), source, ": field '", path, key, "': expected ", expected, ", found nothing");
    return obj.at(key);
  }
  int64_t positive_int(const char* key) const {
    const nlohmann::json& v = at(key, "a positive integer");
    TESSERA_CHECK(v.is_number_integer() && v.get<int64_t>() > 0, source, ": field '", path, key,
                  "': expected a positive integer, found ", v.dump());
    return v.get<int64_t>();
  }
  bool boolean(const char* key) const {
    const nlohmann::json& v = at(key, "true or false");
    TESSERA_CHECK(v.is_boolean(), source, ": field '", path, key, "': expected true or false, found ", v.dump());
    return v.get<bool>();
  }
  float positive_float(const char* key) const {
    const nlohmann::json& v = at(key, "a positive number");
    TESSERA_CHECK(v.is_number() && v.get<double>() > 0, source, ": field '", path, key,
                  "': expected a positive number, found ", v.dump());
    return v.get<float>();
  }
};

}  // namespace

ModelConfig ModelConfig::from_json(const nlohmann::json& j, const std::string& source) {
  TESSERA_CHECK(j.is_object(), source, ": expected a JSON object, found ", j.dump());
  const FieldReader top{j, source, ""};
  const nlohmann::json& format = top.at("format", "\"tessera-model\"");
  TESSERA_CHECK(format == "tessera-model", source, ": field 'format': expected \"tessera-model\", found ",
                format.dump());
  const nlohmann::json& version = top.at("version", "a version number");
  TESSERA_CHECK(version == kModelFormatVersion, source, ": field 'version': expected ", kModelFormatVersion,
                ", found ", version.dump());
  const nlohmann::json& arch = top.at("architecture", "an object");
  TESSERA_CHECK(arch.is_object(), source, ": field 'architecture': expected an object, found ", arch.dump());
  const FieldReader a{arch, source, "architecture."};

  ModelConfig c;
  c.transformer.dim = a.positive_int("dim");
  c.transformer.n_layers = a.positive_int("n_layers");
  c.transformer.n_heads = a.positive_int("n_heads");
  c.transformer.hidden = a.positive_int("hidden");
  c.transformer.qk_norm = a.boolean("qk_norm");
  c.transformer.tied_embeddings = a.boolean("tied_embeddings");
  c.transformer.rope_theta = a.positive_float("rope_theta");
  c.transformer.norm_eps = a.positive_float("norm_eps");
  c.transformer.init_std = a.positive_float("init_std");
  c.context_length = a.positive_int("context_length");
  c.vocabulary = codecs::Vocabulary::from_json(top.at("vocabulary", "an object"), source, "vocabulary");

  const nlohmann::json& files = top.at("codecs", "an object of codec files");
  TESSERA_CHECK(files.is_object(), source, ": field 'codecs': expected an object of codec files, found ", files.dump());
  for (const auto& [modality, file] : files.items()) {
    TESSERA_CHECK(modality == "text" || modality == "image" || modality == "audio", source, ": field 'codecs.",
                  modality, "': expected one of text, image, audio");
    TESSERA_CHECK(file.is_string() && !file.get<std::string>().empty() &&
                      file.get<std::string>().find('/') == std::string::npos,
                  source, ": field 'codecs.", modality, "': expected a file name inside the model directory, found ",
                  file.dump());
    c.codecs[modality] = file.get<std::string>();
  }
  c.finalize(source);
  return c;
}

void ModelConfig::finalize(const std::string& source) {
  transformer.vocab_size = vocabulary.total();
  TESSERA_CHECK(transformer.vocab_size > 0, source, ": field 'vocabulary': expected at least one token, found none");
  TESSERA_CHECK(transformer.dim % transformer.n_heads == 0, source, ": field 'architecture.n_heads': expected a divisor of dim ",
                transformer.dim, ", found ", transformer.n_heads);
  TESSERA_CHECK((transformer.dim / transformer.n_heads) % 2 == 0, source,
                ": field 'architecture.n_heads': RoPE needs an even head dimension, found dim / n_heads = ",
                transformer.dim / transformer.n_heads);
}

}  // namespace tessera::model

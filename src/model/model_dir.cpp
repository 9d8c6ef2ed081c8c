#include "model/model_dir.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/safetensors.h"

namespace tessera::model {

namespace fs = std::filesystem;

namespace {

std::string file_in(const std::string& dir, const std::string& name) { return (fs::path(dir) / name).string(); }

void check_directory(const std::string& dir) {
  TESSERA_CHECK(fs::exists(dir), dir, ": no such model directory");
  TESSERA_CHECK(fs::is_directory(dir), dir,
                ": expected a model directory (config.json, model.safetensors, ...), found a file");
  TESSERA_CHECK(fs::exists(file_in(dir, "config.json")), dir,
                ": not a model directory: config.json is missing (an unfinished save leaves it out)");
}

// A file config.json says the model has; its absence is the directory's fault, not the file's.
std::string required_file(const std::string& dir, const std::string& name, const char* what) {
  const std::string path = file_in(dir, name);
  TESSERA_CHECK(fs::exists(path), dir, ": the model directory has no ", name, " (", what, ")");
  return path;
}

}  // namespace

void save_model(const std::string& dir, const ModelConfig& config, const Transformer& transformer,
                const std::map<std::string, std::string>& codec_files) {
  fs::create_directories(dir);
  for (const auto& [modality, file] : config.codecs) {
    const auto it = codec_files.find(file);
    TESSERA_CHECK(it != codec_files.end(), "save_model: config names the ", modality, " codec file '", file,
                  "', but no bytes were given for it");
    write_file_atomically(file_in(dir, file), it->second);
  }
  std::map<std::string, std::string> metadata = {{"format", "tessera-model"}};
  write_safetensors(file_in(dir, "model.safetensors"), transformer.named_parameters(), metadata);
  // Last, so a directory with a config.json is a complete model.
  write_file_atomically(file_in(dir, "config.json"), config.to_json().dump(2) + "\n");
}

ModelConfig load_model_config(const std::string& dir) {
  check_directory(dir);
  const std::string path = file_in(dir, "config.json");
  const std::string text = read_file(path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    fail(path, ": not valid JSON: ", e.what());
  }
  return ModelConfig::from_json(j, path);
}

LoadedModel load_model(const std::string& dir) {
  LoadedModel loaded;
  loaded.dir = dir;
  loaded.config = load_model_config(dir);
  const ModelConfig& config = loaded.config;
  if (const auto it = config.codecs.find("text"); it != config.codecs.end()) {
    const std::string path = required_file(dir, it->second, "the text codec named in config.json");
    loaded.text = codecs::TextCodec::load(path);
    TESSERA_CHECK(loaded.text->vocab_size() == config.vocabulary.text_size, path, ": the text codec has ",
                  loaded.text->vocab_size(), " tokens, but ", file_in(dir, "config.json"),
                  " field 'vocabulary.text' says ", config.vocabulary.text_size,
                  " (the codec does not belong to this model)");
  }
  const Safetensors weights = read_safetensors(required_file(dir, "model.safetensors", "the weights"));
  Rng unused_init(0);
  loaded.transformer = std::make_unique<Transformer>(config.transformer, unused_init);
  loaded.transformer->load_parameters(weights.tensors, weights.source);
  return loaded;
}

}  // namespace tessera::model

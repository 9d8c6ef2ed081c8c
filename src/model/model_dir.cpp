#include "model/model_dir.h"

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/safetensors.h"

namespace tessera::model {

namespace fs = std::filesystem;
using codecs::Modality;

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
std::string required_file(const std::string& dir, const std::string& name, const std::string& what) {
  const std::string path = file_in(dir, name);
  TESSERA_CHECK(fs::exists(path), dir, ": the model directory has no ", name, " (", what, ")");
  return path;
}

// That `codec` is the one `entry` describes; `config` names the config in errors ("DIR/config.json").
void check_codec(const codecs::Codec& codec, const CodecEntry& entry, const std::string& config,
                 const std::string& codec_path) {
  const std::string field = str("field 'codecs.", codecs::modality_name(codec.modality()));
  TESSERA_CHECK(codec.kind() == entry.kind, config, ": ", field, ".kind': expected \"", codec.kind(),
                "\", the kind of ", codec_path, ", found \"", entry.kind, "\"");
  const int64_t ids = entry.end - entry.first;
  TESSERA_CHECK(codec.vocab_size() == ids, config, ": ", field, ".ids': expected a range of ", codec.vocab_size(),
                " ids, the vocabulary of ", codec_path, ", found [", entry.first, ", ", entry.end, "], ", ids,
                " ids (the codec does not belong to this model)");
}

}  // namespace

void save_model(const std::string& dir, const ModelConfig& config, const Transformer& transformer,
                const std::vector<const codecs::Codec*>& codecs) {
  const std::string where = "save_model " + dir;
  std::map<Modality, const codecs::Codec*> given;
  for (const codecs::Codec* codec : codecs) {
    TESSERA_CHECK(codec != nullptr, where, ": a codec given is null");
    const char* name = codecs::modality_name(codec->modality());
    TESSERA_CHECK(config.codecs.count(codec->modality()) > 0, where, ": a codec was given for ", name,
                  ", but config.codecs has no ", name, " entry (ModelConfig::add_codec adds one)");
    TESSERA_CHECK(given.emplace(codec->modality(), codec).second, where, ": two codecs were given for ", name);
  }
  for (const auto& [modality, entry] : config.codecs) {
    const auto it = given.find(modality);
    TESSERA_CHECK(it != given.end(), where, ": config.codecs names ", entry.file, " for ",
                  codecs::modality_name(modality), ", but no ", codecs::modality_name(modality), " codec was given");
    check_codec(*it->second, entry, where + ": the config", "the codec given");
  }
  fs::create_directories(dir);
  for (const auto& [modality, entry] : config.codecs) given.at(modality)->save(file_in(dir, entry.file));
  write_safetensors(file_in(dir, "model.safetensors"), transformer.named_parameters(), {{"format", kModelFormat}});
  // Last, so a directory with a config.json is a complete model.
  write_file_atomically(file_in(dir, "config.json"), write_config(config).dump(2) + "\n");
}

ModelConfig load_model_config(const std::string& dir) {
  check_directory(dir);
  return read_config<ModelConfig>(load_config_source(file_in(dir, "config.json")));
}

codecs::CodecRegistry load_model_codecs(const std::string& dir, const ModelConfig& config) {
  const std::string config_path = file_in(dir, "config.json");
  codecs::CodecRegistry registry(dir);
  for (const auto& [modality, entry] : config.codecs) {
    const char* name = codecs::modality_name(modality);
    const std::string path = required_file(dir, entry.file, str("the ", name, " codec named in config.json"));
    std::unique_ptr<codecs::Codec> codec;
    try {
      codec = codecs::load_codec(entry.kind, path);
    } catch (const Error& e) {
      fail(e.what(), " (", config_path, " field 'codecs.", name, "' names it as a \"", entry.kind, "\" codec)");
    }
    check_codec(*codec, entry, config_path, path);
    registry.add(std::move(codec));
  }
  return registry;
}

LoadedModel load_model(const std::string& dir) {
  ModelConfig config = load_model_config(dir);
  codecs::CodecRegistry registry = load_model_codecs(dir, config);
  const Safetensors weights = read_safetensors(required_file(dir, "model.safetensors", "the weights"));
  Rng unused_init(0);
  const SkipDraws overwritten_below;
  auto transformer = std::make_unique<Transformer>(config.transformer, unused_init);
  transformer->load_parameters(weights.tensors, weights.source);
  return {std::move(config), std::move(transformer), std::move(registry), dir};
}

}  // namespace tessera::model

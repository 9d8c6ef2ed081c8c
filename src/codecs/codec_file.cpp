#include "codecs/codec_file.h"

#include "core/error.h"

namespace tessera::codecs {

nlohmann::json codec_file_config(const Safetensors& file, const std::string& format, const std::string& version,
                                 const std::string& what) {
  auto meta = [&](const char* key) -> const std::string& {
    const auto it = file.metadata.find(key);
    TESSERA_CHECK(it != file.metadata.end(), file.source, ": metadata field '", key, "' is missing; is this ", what,
                  "?");
    return it->second;
  };
  TESSERA_CHECK(meta("format") == format, file.source, ": metadata field 'format': expected \"", format, "\", found \"",
                meta("format"), "\"");
  TESSERA_CHECK(meta("version") == version, file.source, ": metadata field 'version': expected ", version, ", found ",
                meta("version"));
  try {
    return nlohmann::json::parse(meta("config"));
  } catch (const nlohmann::json::exception& e) {
    fail(file.source, ": metadata field 'config': not valid JSON (", e.what(), ")");
  }
}

}  // namespace tessera::codecs

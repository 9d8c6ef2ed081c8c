#pragma once
// The metadata of a codec's safetensors file: "format" says which codec wrote it, "version"
// its layout, "config" the codec's config as JSON.
#include <nlohmann/json.hpp>
#include <string>

#include "io/safetensors.h"

namespace tessera::codecs {

// Checks that `file` holds `format` at `version` and returns its parsed config. Errors name
// the file and the metadata field; a missing field asks whether the file is `what` (e.g.
// "an audio codec file (from `tessera train` with an audio_codec recipe)").
nlohmann::json codec_file_config(const Safetensors& file, const std::string& format, const std::string& version,
                                 const std::string& what);

}  // namespace tessera::codecs

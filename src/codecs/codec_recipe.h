#pragma once
// A codec recipe file, shared by the image and audio codecs: a JSON object with a "codec"
// section (the codec's config) and an optional "training" section (its trainer's options).
#include <nlohmann/json.hpp>
#include <string>

namespace tessera::codecs {

// Reads `path` and checks its top level: valid JSON, "codec" an object, "training" an object
// if present, nothing else. The sections themselves are parsed by their owners, which name
// their own fields in errors.
nlohmann::json read_codec_recipe(const std::string& path);

}  // namespace tessera::codecs

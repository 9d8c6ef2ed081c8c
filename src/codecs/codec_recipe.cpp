#include "codecs/codec_recipe.h"

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/json_fields.h"

namespace tessera::codecs {

nlohmann::json read_codec_recipe(const std::string& path) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::exception& e) {
    fail(path, ": not valid JSON (", e.what(), ")");
  }
  JsonFields top(j, path, "");
  top.object("codec");
  top.object("training", true);
  top.check_all_read();
  return j;
}

}  // namespace tessera::codecs

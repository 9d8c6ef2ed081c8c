#pragma once
// The safetensors format: an 8-byte little-endian header length, a JSON header naming
// each tensor's dtype, shape and byte range, then the bytes. The reader is strict: any
// header that does not describe the data exactly is refused with an error that names the
// file, the tensor and the rule it breaks.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace tessera {

// The header may not exceed this; a larger one is corrupt or hostile.
inline constexpr uint64_t kSafetensorsMaxHeaderBytes = 100ull << 20;

struct Safetensors {
  std::vector<std::pair<std::string, Tensor>> tensors;  // in file order
  std::map<std::string, std::string> metadata;          // the "__metadata__" entry
  std::string source;                                   // the file, for messages

  bool contains(const std::string& name) const;
  // Throws naming the file and the missing tensor.
  const Tensor& get(const std::string& name) const;
};

Safetensors read_safetensors(const std::string& path);
// Parses a whole file's bytes; `source` names it in errors.
Safetensors parse_safetensors(const std::string& bytes, const std::string& source);

// Writes to a temporary file beside `path`, then renames it over `path`, so a crash never
// leaves a half-written file under the real name.
void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace tessera

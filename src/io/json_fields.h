#pragma once
// Typed, checked reads of one JSON object of a config file. Every error names the file and
// the field's dotted path, says what was expected and shows what was found; fields nobody
// read are errors too (a misspelt key must not silently train with a default).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace tessera {

class JsonFields {
 public:
  // `path` is the object's own dotted path ("" for the top level).
  JsonFields(const nlohmann::json& object, std::string source, std::string path);

  bool has(const char* key) const;
  // A required field when `fallback` is empty, else an optional one.
  int64_t integer(const char* key, int64_t min, std::optional<int64_t> fallback = std::nullopt);
  // A number in [lo, hi].
  double number(const char* key, double lo, double hi, std::optional<double> fallback = std::nullopt);
  std::string string(const char* key, std::optional<std::string> fallback = std::nullopt);
  bool boolean(const char* key, std::optional<bool> fallback = std::nullopt);
  // A non-empty list of integers, each >= min.
  std::vector<int64_t> integers(const char* key, int64_t min);
  // A list of non-empty strings (may be empty itself).
  std::vector<std::string> strings(const char* key);
  // A nested object (required unless `optional`, then an empty one stands in).
  JsonFields object(const char* key, bool optional = false);

  // Throws on the first key that no read asked for.
  void check_all_read() const;
  // "file: field 'a.b': " for messages about a field's value in context.
  std::string where(const char* key) const;

 private:
  const nlohmann::json* find(const char* key, bool required, const char* expected);

  nlohmann::json object_;
  std::string source_, path_;
  std::set<std::string> read_;
};

}  // namespace tessera

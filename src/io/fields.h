#pragma once
// A config describes its fields once, in a member `void fields(Fields& f)`, and that one
// description reads it from JSON, writes it back, and checks command-line overrides the same
// way as the file:
//
//   struct Optimization {
//     int64_t steps = 0;
//     double lr = 3e-3, min_lr = 3e-4;
//     void fields(Fields& f) {
//       f.integer("steps", steps, {.min = 1, .required = true});
//       f.number("lr", lr, {.min = 0, .above_min = true});
//       f.number("min_lr", min_lr, {.min = 0});
//       f.check(min_lr <= lr, "min_lr", str("at most lr (", lr, ")"), min_lr);
//     }
//   };
//
// Reading starts from the struct's own values (its defaults): an absent optional field keeps
// its default, a required one is an error. Every error names the file (or the --set that gave
// the value), the field's dotted JSON path, what was expected and what was found; a key that
// no description asked for is an error too (a misspelt field must not train with a default).
// Checks written in fields() run right after the values they use are read, and not at all
// when writing.
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace tessera {

struct IntegerRule {
  int64_t min = std::numeric_limits<int64_t>::min();
  int64_t max = std::numeric_limits<int64_t>::max();
  bool required = false;
};

struct NumberRule {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool above_min = false;  // min itself is excluded
  bool below_max = false;  // max itself is excluded
  bool required = false;
};

class Fields {
 public:
  virtual ~Fields() = default;
  // True while reading (checks apply, defaults are in place); false while writing.
  virtual bool reading() const = 0;

  virtual void integer(const char* key, int64_t& value, IntegerRule rule = {}) = 0;
  virtual void number(const char* key, double& value, NumberRule rule = {}) = 0;
  void number(const char* key, float& value, NumberRule rule = {});
  virtual void boolean(const char* key, bool& value, bool required = false) = 0;
  virtual void string(const char* key, std::string& value, bool required = false) = 0;
  // One of `options`, spelled exactly.
  virtual void choice(const char* key, std::string& value, const std::vector<std::string>& options,
                      bool required = false) = 0;
  // A non-empty list of integers, each within the rule's bounds.
  virtual void integers(const char* key, std::vector<int64_t>& values, IntegerRule rule = {}) = 0;
  void integers(const char* key, std::vector<int32_t>& values, IntegerRule rule = {});
  // A list of non-empty strings (it may be empty).
  virtual void strings(const char* key, std::vector<std::string>& values, bool required = false) = 0;
  // A file path. Read relative to the config's folder (a --set value: to the working
  // directory), written relative to the writer's folder, so a config keeps naming the same
  // files wherever it is read from.
  virtual void path(const char* key, std::string& value, bool required = false) = 0;
  // A non-empty list of paths, each as path() treats it.
  virtual void paths(const char* key, std::vector<std::string>& values, bool required = false) = 0;
  // Any JSON value, which its owner checks (e.g. a data stream's saved state).
  virtual void any(const char* key, nlohmann::json& value, bool required = false) = 0;
  // A nested object described by `body`. A section may be described in several places (the
  // training loop and a task both read "eval"): they share the object and its unknown-key check.
  virtual void section(const char* key, const std::function<void(Fields&)>& body, bool required = false) = 0;
  // A nested object that may be absent: `present` says whether it is there.
  virtual void optional_section(const char* key, bool& present, const std::function<void(Fields&)>& body) = 0;

  // While reading, fails with "<where key>expected <expected>, found <found>" unless `ok`.
  template <class Found>
  void check(bool ok, const char* key, const std::string& expected, const Found& found) {
    if (reading() && !ok) fail(where(key), "expected ", expected, ", found ", found);
  }
  // "file: field 'a.b': ", or "--set a.b=...: " for an overridden value: the start of a
  // message about one field's value.
  virtual std::string where(const char* key) const = 0;
};

// An enum field spelled as one of `names`.
template <class E>
void choice(Fields& f, const char* key, E& value, std::initializer_list<std::pair<const char*, E>> names,
            bool required = false) {
  std::vector<std::string> options;
  std::string spelled;
  for (const auto& [name, e] : names) {
    options.emplace_back(name);
    if (e == value) spelled = name;
  }
  f.choice(key, spelled, options, required);
  for (const auto& [name, e] : names) {
    if (spelled == name) value = e;
  }
}

// Command-line values for fields, `--set optimization.lr=1e-3`: the dotted path of a field
// and its value, JSON when it parses as JSON and a string otherwise.
struct Override {
  std::string path;  // "optimization.lr"
  std::string text;  // "1e-3", as given
};
// Parses "a.b=value"; an error names the argument and shows the expected form.
Override parse_override(const std::string& argument);
// Each of the --set arguments, in order.
std::vector<Override> parse_overrides(const std::vector<std::string>& arguments);

// A JSON document to read: the parsed file, where it came from, the folder its relative
// paths are relative to, and the overrides already applied to it.
struct ConfigSource {
  nlohmann::json json;
  std::string source;    // the file's path, for messages
  std::string base_dir;  // relative paths in the file are relative to this folder
  std::string path;      // the object's own dotted path in the file ("" at the top)
  std::vector<Override> overrides;
};

// Reads and parses a JSON file; an error names the file.
nlohmann::json read_json_file(const std::string& path);
// The file, parsed, with `overrides` applied in order (each creating the objects on its path).
ConfigSource load_config_source(const std::string& path, const std::vector<Override>& overrides = {});
// JSON already in memory (a file's metadata, say), named `source` in messages, found at
// dotted `path` inside it.
ConfigSource config_source(nlohmann::json json, std::string source, std::string path = "");

// Reads every field `describe` asks for from `from` into the values it binds, then checks
// that no key was left unread.
void read_fields(const ConfigSource& from, const std::function<void(Fields&)>& describe);
// Writes the fields `describe` binds into a JSON object; paths relative to `base_dir`
// (absolute ones stay absolute) when it is given, as they are otherwise.
nlohmann::json write_fields(const std::function<void(Fields&)>& describe, const std::string& base_dir = "");

// The common case: a config struct with a fields() member.
template <class Config>
Config read_config(const ConfigSource& from, Config config = {}) {
  read_fields(from, [&](Fields& f) { config.fields(f); });
  return config;
}
template <class Config>
nlohmann::json write_config(Config config, const std::string& base_dir = "") {
  return write_fields([&](Fields& f) { config.fields(f); }, base_dir);
}

}  // namespace tessera

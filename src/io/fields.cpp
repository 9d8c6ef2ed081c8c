#include "io/fields.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "io/atomic_file.h"

namespace tessera {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string joined(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

// " >= 1", " in [0, 10]" or "": an integer rule's bounds, after "an integer" or "integers".
std::string bounds(const IntegerRule& r) {
  const bool low = r.min != std::numeric_limits<int64_t>::min(), high = r.max != std::numeric_limits<int64_t>::max();
  if (low && high) return str(" in [", r.min, ", ", r.max, "]");
  if (low) return str(" >= ", r.min);
  if (high) return str(" <= ", r.max);
  return "";
}

std::string describe(const IntegerRule& r) { return r.min == r.max ? str(r.min) : "an integer" + bounds(r); }

std::string describe(const NumberRule& r) {
  const bool low = std::isfinite(r.min), high = std::isfinite(r.max);
  if (low && high) return str("a number in ", r.above_min ? "(" : "[", r.min, ", ", r.max, r.below_max ? ")" : "]");
  if (low) return str("a number ", r.above_min ? "> " : ">= ", r.min);
  if (high) return str("a number ", r.below_max ? "< " : "<= ", r.max);
  return "a number";
}

bool within(const NumberRule& r, double v) {
  return (r.above_min ? v > r.min : v >= r.min) && (r.below_max ? v < r.max : v <= r.max);
}

struct ReadContext {
  std::string source, base_dir;
  std::map<std::string, std::string> overrides;  // dotted path -> the value as typed
};

class Reader : public Fields {
 public:
  Reader(json object, const ReadContext& context, std::string path)
      : object_(std::move(object)), context_(context), path_(std::move(path)) {}

  bool reading() const override { return true; }

  std::string where(const char* key) const override {
    const std::string full = joined(path_, key);
    // A value from --set, or an object that only a --set made (a misspelt section).
    for (const auto& [path, text] : context_.overrides) {
      if (path == full || path.starts_with(full + ".")) return str("--set ", path, "=", text, ": ");
    }
    return str(context_.source, ": field '", full, "': ");
  }

  void integer(const char* key, int64_t& value, IntegerRule rule) override {
    const json* v = find(key, rule.required, describe(rule));
    if (v == nullptr) return;
    const bool ok = v->is_number_integer() && v->get<int64_t>() >= rule.min && v->get<int64_t>() <= rule.max;
    TESSERA_CHECK(ok, where(key), "expected ", describe(rule), ", found ", v->dump());
    value = v->get<int64_t>();
  }

  void number(const char* key, double& value, NumberRule rule) override {
    const json* v = find(key, rule.required, describe(rule));
    if (v == nullptr) return;
    TESSERA_CHECK(v->is_number() && within(rule, v->get<double>()), where(key), "expected ", describe(rule), ", found ",
                  v->dump());
    value = v->get<double>();
  }

  void boolean(const char* key, bool& value, bool required) override {
    const json* v = find(key, required, "true or false");
    if (v == nullptr) return;
    TESSERA_CHECK(v->is_boolean(), where(key), "expected true or false, found ", v->dump());
    value = v->get<bool>();
  }

  void string(const char* key, std::string& value, bool required) override {
    if (const auto text = text_of(key, required, "a string")) value = *text;
  }

  void choice(const char* key, std::string& value, const std::vector<std::string>& options, bool required) override {
    std::string expected;
    for (const std::string& o : options) expected += (expected.empty() ? "\"" : " or \"") + o + "\"";
    const auto text = text_of(key, required, expected);
    if (!text) return;
    TESSERA_CHECK(std::find(options.begin(), options.end(), *text) != options.end(), where(key), "expected ", expected,
                  ", found \"", *text, "\"");
    value = *text;
  }

  void integers(const char* key, std::vector<int64_t>& values, IntegerRule rule) override {
    const std::string expected = "a non-empty list of integers" + bounds(rule);
    const json* v = find(key, rule.required, expected);
    if (v == nullptr) return;
    TESSERA_CHECK(v->is_array() && !v->empty(), where(key), "expected ", expected, ", found ", v->dump());
    std::vector<int64_t> out;
    for (const json& item : *v) {
      const bool ok = item.is_number_integer() && item.get<int64_t>() >= rule.min && item.get<int64_t>() <= rule.max;
      TESSERA_CHECK(ok, where(key), "expected ", expected, ", found ", item.dump(), " in ", v->dump());
      out.push_back(item.get<int64_t>());
    }
    values = out;
  }

  void strings(const char* key, std::vector<std::string>& values, bool required) override {
    const json* v = find(key, required, "a list of strings");
    if (v == nullptr) return;
    TESSERA_CHECK(v->is_array(), where(key), "expected a list of strings, found ", v->dump());
    std::vector<std::string> out;
    for (const json& item : *v) {
      TESSERA_CHECK(item.is_string() && !item.get<std::string>().empty(), where(key),
                    "expected non-empty strings, found ", item.dump());
      out.push_back(item.get<std::string>());
    }
    values = out;
  }

  void path(const char* key, std::string& value, bool required) override {
    const auto text = text_of(key, required, "a file path");
    if (!text) return;
    TESSERA_CHECK(!text->empty(), where(key), "expected a file path, found \"\"");
    value = resolved(key, *text);
  }

  void paths(const char* key, std::vector<std::string>& values, bool required) override {
    const json* v = find(key, required, "a list of file paths");
    if (v == nullptr) return;
    if (v->is_string() && overridden(key)) {  // --set data.train=a.shard: one path
      values = {resolved(key, v->get<std::string>())};
      return;
    }
    TESSERA_CHECK(v->is_array() && !v->empty(), where(key), "expected a non-empty list of file paths, found ",
                  v->dump());
    std::vector<std::string> out;
    for (const json& item : *v) {
      TESSERA_CHECK(item.is_string() && !item.get<std::string>().empty(), where(key), "expected file paths, found ",
                    item.dump());
      out.push_back(resolved(key, item.get<std::string>()));
    }
    values = out;
  }

  void any(const char* key, json& value, bool required) override {
    if (const json* v = find(key, required, "a value")) value = *v;
  }

  void section(const char* key, const std::function<void(Fields&)>& body, bool required) override {
    auto it = children_.find(key);
    if (it == children_.end()) {
      const json* v = find(key, required, "an object");
      TESSERA_CHECK(v == nullptr || v->is_object(), where(key), "expected an object, found ", v->dump());
      it =
          children_.emplace(key, std::make_unique<Reader>(v ? *v : json::object(), context_, joined(path_, key))).first;
    }
    body(*it->second);
  }

  void optional_section(const char* key, bool& present, const std::function<void(Fields&)>& body) override {
    present = object_.contains(key);
    if (present) section(key, body, true);
  }

  void check_all_read() const {
    std::string known;
    for (const std::string& k : read_) known += (known.empty() ? "" : ", ") + k;
    for (const auto& [key, value] : object_.items()) {
      TESSERA_CHECK(read_.count(key) > 0, where(key.c_str()), "unknown field (a typo?)",
                    known.empty() ? std::string() : "; the fields here are " + known);
    }
    for (const auto& [key, child] : children_) child->check_all_read();
  }

 private:
  const json* find(const char* key, bool required, const std::string& expected) {
    read_.insert(key);
    if (!object_.contains(key)) {
      TESSERA_CHECK(!required, where(key), "expected ", expected, ", found nothing");
      return nullptr;
    }
    return &object_.at(key);
  }

  bool overridden(const char* key) const { return context_.overrides.count(joined(path_, key)) > 0; }

  // A string field's text; an override counts as typed (--set data.valid=2024 is the string "2024").
  std::optional<std::string> text_of(const char* key, bool required, const std::string& expected) {
    const json* v = find(key, required, expected);
    if (v == nullptr) return std::nullopt;
    if (overridden(key)) return context_.overrides.at(joined(path_, key));
    TESSERA_CHECK(v->is_string(), where(key), "expected ", expected, ", found ", v->dump());
    return v->get<std::string>();
  }

  std::string resolved(const char* key, const std::string& text) const {
    const fs::path p(text);
    if (p.is_absolute() || overridden(key) || context_.base_dir.empty()) return p.lexically_normal().string();
    return (fs::path(context_.base_dir) / p).lexically_normal().string();
  }

  json object_;
  const ReadContext& context_;
  std::string path_;
  std::set<std::string> read_;
  std::map<std::string, std::unique_ptr<Reader>> children_;
};

class Writer : public Fields {
 public:
  Writer(json& out, const std::string& base_dir) : out_(out), base_dir_(base_dir) {}

  bool reading() const override { return false; }
  std::string where(const char* key) const override { return str("field '", key, "': "); }

  void integer(const char* key, int64_t& value, IntegerRule) override { out_[key] = value; }
  void number(const char* key, double& value, NumberRule) override { out_[key] = value; }
  void boolean(const char* key, bool& value, bool) override { out_[key] = value; }
  void string(const char* key, std::string& value, bool) override { out_[key] = value; }
  void choice(const char* key, std::string& value, const std::vector<std::string>&, bool) override {
    out_[key] = value;
  }
  void integers(const char* key, std::vector<int64_t>& values, IntegerRule) override { out_[key] = values; }
  void strings(const char* key, std::vector<std::string>& values, bool) override { out_[key] = values; }
  // An unset optional path is left out: an empty name is not a path.
  void path(const char* key, std::string& value, bool) override {
    if (!value.empty()) out_[key] = relative(value);
  }
  void paths(const char* key, std::vector<std::string>& values, bool) override {
    if (values.empty()) return;
    json list = json::array();
    for (const std::string& v : values) list.push_back(relative(v));
    out_[key] = list;
  }
  void any(const char* key, json& value, bool) override { out_[key] = value; }
  void section(const char* key, const std::function<void(Fields&)>& body, bool) override {
    if (!out_.contains(key)) out_[key] = json::object();
    Writer child(out_[key], base_dir_);
    body(child);
  }
  void optional_section(const char* key, bool& present, const std::function<void(Fields&)>& body) override {
    if (present) section(key, body, true);
  }

 private:
  std::string relative(const std::string& value) const {
    const fs::path p(value);
    if (base_dir_.empty() || p.is_absolute()) return value;
    const fs::path base = fs::absolute(base_dir_).lexically_normal();
    return fs::absolute(p).lexically_normal().lexically_relative(base).string();
  }

  json& out_;
  const std::string& base_dir_;
};

// Sets the value at a dotted path, creating the objects on the way.
void apply_override(json& top, const Override& o, const std::string& source) {
  json* at = &top;
  size_t start = 0;
  for (size_t dot; (dot = o.path.find('.', start)) != std::string::npos; start = dot + 1) {
    const std::string key = o.path.substr(start, dot - start);
    json& next = (*at)[key];
    if (next.is_null()) next = json::object();
    TESSERA_CHECK(next.is_object(), "--set ", o.path, "=", o.text, ": '", o.path.substr(0, dot), "' in ", source,
                  " is ", next.dump(), ", not an object of fields");
    at = &next;
  }
  const json parsed = json::parse(o.text, nullptr, false);
  (*at)[o.path.substr(start)] = parsed.is_discarded() ? json(o.text) : parsed;
}

}  // namespace

void Fields::number(const char* key, float& value, NumberRule rule) {
  // Written as the shortest decimal that reads back as this float: 3e-3f is "0.003", not
  // 0.003000000026077032.
  char text[32];
  const auto end = std::to_chars(text, text + sizeof text, value).ptr;
  double wide = std::stod(std::string(text, end));
  number(key, wide, rule);
  value = static_cast<float>(wide);
}

void Fields::integers(const char* key, std::vector<int32_t>& values, IntegerRule rule) {
  std::vector<int64_t> wide(values.begin(), values.end());
  integers(key, wide, rule);
  for (const int64_t v : wide) {
    check(v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max(), key, "32-bit integers",
          v);
  }
  values.assign(wide.begin(), wide.end());
}

Override parse_override(const std::string& argument) {
  const size_t eq = argument.find('=');
  const std::string path = argument.substr(0, eq);
  bool well_formed = eq != std::string::npos && !path.empty() && path.front() != '.' && path.back() != '.' &&
                     path.find("..") == std::string::npos;
  TESSERA_CHECK(well_formed, "--set ", argument, ": expected FIELD=VALUE with the field's dotted path, e.g. ",
                "--set optimization.lr=1e-3");
  return {path, argument.substr(eq + 1)};
}

std::vector<Override> parse_overrides(const std::vector<std::string>& arguments) {
  std::vector<Override> overrides;
  for (const std::string& argument : arguments) overrides.push_back(parse_override(argument));
  return overrides;
}

json read_json_file(const std::string& path) {
  const std::string text = read_file(path);
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    fail(path, ": not valid JSON: ", e.what());
  }
}

ConfigSource load_config_source(const std::string& path, const std::vector<Override>& overrides) {
  ConfigSource s{read_json_file(path), path, fs::path(path).parent_path().string(), "", overrides};
  TESSERA_CHECK(s.json.is_object(), path, ": expected a JSON object, found ", s.json.dump().substr(0, 80));
  for (const Override& o : overrides) apply_override(s.json, o, path);
  return s;
}

ConfigSource config_source(json j, std::string source, std::string path) {
  return {std::move(j), std::move(source), "", std::move(path), {}};
}

void read_fields(const ConfigSource& from, const std::function<void(Fields&)>& describe) {
  ReadContext context{from.source, from.base_dir, {}};
  for (const Override& o : from.overrides) context.overrides[o.path] = o.text;
  TESSERA_CHECK(from.json.is_object(), from.source, from.path.empty() ? "" : ": field '" + from.path + "'",
                ": expected a JSON object, found ", from.json.dump().substr(0, 80));
  Reader top(from.json, context, from.path);
  describe(top);
  top.check_all_read();
}

json write_fields(const std::function<void(Fields&)>& describe, const std::string& base_dir) {
  json out = json::object();
  Writer top(out, base_dir);
  describe(top);
  return out;
}

}  // namespace tessera

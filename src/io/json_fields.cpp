#include "io/json_fields.h"

#include "core/error.h"

namespace tessera {

using nlohmann::json;

JsonFields::JsonFields(const json& object, std::string source, std::string path)
    : object_(object), source_(std::move(source)), path_(std::move(path)) {
  TESSERA_CHECK(object_.is_object(), source_, path_.empty() ? std::string() : ": field '" + path_ + "'",
                ": expected a JSON object, found ", object_.dump());
}

bool JsonFields::has(const char* key) const { return object_.contains(key); }

std::string JsonFields::where(const char* key) const {
  return str(source_, ": field '", path_.empty() ? "" : path_ + ".", key, "': ");
}

const json* JsonFields::find(const char* key, bool required, const char* expected) {
  read_.insert(key);
  if (!object_.contains(key)) {
    TESSERA_CHECK(!required, where(key), "expected ", expected, ", found nothing");
    return nullptr;
  }
  return &object_.at(key);
}

int64_t JsonFields::integer(const char* key, int64_t min, std::optional<int64_t> fallback) {
  const json* v = find(key, !fallback, "an integer");
  if (v == nullptr) return *fallback;
  TESSERA_CHECK(v->is_number_integer() && v->get<int64_t>() >= min, where(key), "expected an integer >= ", min,
                ", found ", v->dump());
  return v->get<int64_t>();
}

double JsonFields::number(const char* key, double lo, double hi, std::optional<double> fallback) {
  const json* v = find(key, !fallback, "a number");
  if (v == nullptr) return *fallback;
  TESSERA_CHECK(v->is_number() && v->get<double>() >= lo && v->get<double>() <= hi, where(key),
                "expected a number in [", lo, ", ", hi, "], found ", v->dump());
  return v->get<double>();
}

std::string JsonFields::string(const char* key, std::optional<std::string> fallback) {
  const json* v = find(key, !fallback, "a string");
  if (v == nullptr) return *fallback;
  TESSERA_CHECK(v->is_string(), where(key), "expected a string, found ", v->dump());
  return v->get<std::string>();
}

bool JsonFields::boolean(const char* key, std::optional<bool> fallback) {
  const json* v = find(key, !fallback, "true or false");
  if (v == nullptr) return *fallback;
  TESSERA_CHECK(v->is_boolean(), where(key), "expected true or false, found ", v->dump());
  return v->get<bool>();
}

std::vector<int64_t> JsonFields::integers(const char* key, int64_t min) {
  const json* v = find(key, true, "a list of integers");
  TESSERA_CHECK(v->is_array() && !v->empty(), where(key), "expected a non-empty list of integers, found ", v->dump());
  std::vector<int64_t> out;
  for (const json& item : *v) {
    TESSERA_CHECK(item.is_number_integer() && item.get<int64_t>() >= min, where(key), "expected integers >= ", min,
                  ", found ", v->dump());
    out.push_back(item.get<int64_t>());
  }
  return out;
}

std::vector<std::string> JsonFields::strings(const char* key) {
  const json* v = find(key, true, "a list of strings");
  TESSERA_CHECK(v->is_array(), where(key), "expected a list of strings, found ", v->dump());
  std::vector<std::string> out;
  for (const json& item : *v) {
    TESSERA_CHECK(item.is_string() && !item.get<std::string>().empty(), where(key),
                  "expected non-empty strings, found ", item.dump());
    out.push_back(item.get<std::string>());
  }
  return out;
}

JsonFields JsonFields::object(const char* key, bool optional) {
  const json* v = find(key, !optional, "an object");
  const std::string path = path_.empty() ? key : path_ + "." + key;
  return JsonFields(v == nullptr ? json::object() : *v, source_, path);
}

void JsonFields::check_all_read() const {
  for (const auto& [key, value] : object_.items()) {
    TESSERA_CHECK(read_.count(key) > 0, where(key.c_str()), "unknown field (a typo?)");
  }
}

}  // namespace tessera

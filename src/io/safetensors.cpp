#include "io/safetensors.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "io/atomic_file.h"

namespace tessera {

using nlohmann::json;

bool Safetensors::contains(const std::string& name) const {
  return std::any_of(tensors.begin(), tensors.end(), [&](const auto& entry) { return entry.first == name; });
}

const Tensor& Safetensors::get(const std::string& name) const {
  for (const auto& entry : tensors) {
    if (entry.first == name) return entry.second;
  }
  fail(source, ": no tensor named '", name, "'");
}

namespace {

struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  uint64_t begin, end;
};

uint64_t read_u64_le(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// Quotes a JSON value in a message, cut short: a corrupt header may hold megabytes.
std::string brief(const json& value) {
  std::string text = value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

// Parses the header JSON, refusing duplicate keys at any depth (a plain parse would keep
// only the last one silently) and turning every JSON failure into an Error.
json parse_header(const std::string& text, const std::string& source) {
  std::vector<std::set<std::string>> open_objects;  // the keys seen in each object being parsed
  std::string tensor, duplicate, duplicate_in;
  json::parser_callback_t on_event = [&](int depth, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) open_objects.emplace_back();
    if (event == json::parse_event_t::object_end) open_objects.pop_back();
    if (event == json::parse_event_t::key) {
      const auto& key = parsed.get_ref<const std::string&>();
      if (depth == 1) tensor = key;
      if (!open_objects.back().insert(key).second && duplicate.empty()) {
        duplicate = key;
        duplicate_in = depth == 1 ? "" : tensor;
      }
    }
    return true;
  };
  json header;
  try {
    header = json::parse(text, on_event);
  } catch (const json::exception& e) {
    fail(source, ": header is not valid JSON (", e.what(), ")");
  }
  if (!duplicate.empty()) {
    if (duplicate_in.empty()) fail(source, ": tensor name '", duplicate, "' appears twice in the header");
    fail(source, ": key '", duplicate, "' appears twice in the header entry '", duplicate_in, "'");
  }
  return header;
}

Entry parse_entry(const std::string& name, const json& value, const std::string& source) {
  const std::string where = source + ": tensor '" + name + "'";
  TESSERA_CHECK(value.is_object(), where, ": expected an object with dtype, shape and data_offsets, found ",
                brief(value));
  for (const char* field : {"dtype", "shape", "data_offsets"}) {
    TESSERA_CHECK(value.contains(field), where, ": missing field '", field, "'");
  }
  const json& dtype_field = value["dtype"];
  const json& shape = value["shape"];
  const json& offsets = value["data_offsets"];
  TESSERA_CHECK(dtype_field.is_string(), where, ": dtype must be a string, found ", brief(dtype_field));
  TESSERA_CHECK(shape.is_array(), where, ": shape must be an array, found ", brief(shape));
  TESSERA_CHECK(offsets.is_array() && offsets.size() == 2, where, ": data_offsets must be two integers, found ",
                brief(offsets));
  Entry entry;
  entry.name = name;
  const std::string dtype = dtype_field.get<std::string>();
  TESSERA_CHECK(dtype_from_safetensors_name(dtype, &entry.dtype), where, ": unknown dtype '", dtype,
                "' (supported: F32, BF16, F16, I32, I64, U8)");
  // The product of the dimensions (zeros counted as ones) stays below 2^62 bytes, so no
  // element or byte count computed from this shape anywhere can overflow.
  const uint64_t max_elements = (uint64_t{1} << 62) / dtype_size(entry.dtype);
  uint64_t numel = 1, bound = 1;
  for (const json& d : shape) {
    TESSERA_CHECK(d.is_number(), where, ": shape entries must be integers, found ", brief(d));
    TESSERA_CHECK(!d.is_number_float(), where, ": shape entry ", d.dump(), " is not an integer");
    TESSERA_CHECK(d.is_number_unsigned(), where, ": shape entry ", d.dump(), " is negative");
    const uint64_t dim = d.get<uint64_t>();
    const uint64_t factor = std::max<uint64_t>(dim, 1);
    TESSERA_CHECK(factor <= max_elements / bound, where, ": shape ", brief(shape), " has too many elements");
    bound *= factor;
    numel *= dim;
    entry.shape.push_back(static_cast<int64_t>(dim));
  }
  for (const json& o : offsets) {
    TESSERA_CHECK(o.is_number_unsigned(), where, ": data_offsets must be non-negative integers, found ",
                  brief(offsets));
  }
  entry.begin = offsets[0].get<uint64_t>();
  entry.end = offsets[1].get<uint64_t>();
  TESSERA_CHECK(entry.begin <= entry.end, where, ": data_offsets [", entry.begin, ", ", entry.end,
                "] end before they begin");
  const uint64_t expected = numel * dtype_size(entry.dtype);
  TESSERA_CHECK(entry.end - entry.begin == expected, where, ": shape ", shape_str(entry.shape), " of ", dtype,
                " needs ", expected, " bytes but data_offsets [", entry.begin, ", ", entry.end, "] hold ",
                entry.end - entry.begin);
  return entry;
}

}  // namespace

Safetensors parse_safetensors(const std::string& bytes, const std::string& source) {
  TESSERA_CHECK(bytes.size() >= 8, source, ": truncated: ", bytes.size(),
                " bytes is shorter than the 8-byte header length");
  const uint64_t header_len = read_u64_le(bytes.data());
  TESSERA_CHECK(header_len <= kSafetensorsMaxHeaderBytes, source, ": header length ", header_len,
                " exceeds the limit of ", kSafetensorsMaxHeaderBytes, " bytes");
  TESSERA_CHECK(header_len <= bytes.size() - 8, source, ": truncated: header length ", header_len,
                " runs past the end of the file (", bytes.size() - 8, " bytes follow the length)");
  // Beginning with '{' makes any header that parses a JSON object.
  TESSERA_CHECK(header_len >= 2 && bytes[8] == '{', source, ": header must begin with '{'");
  const json header = parse_header(bytes.substr(8, header_len), source);

  Safetensors result;
  result.source = source;
  std::vector<Entry> entries;
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      TESSERA_CHECK(value.is_object(), source, ": __metadata__ must be an object of strings");
      for (const auto& [key, text] : value.items()) {
        TESSERA_CHECK(text.is_string(), source, ": __metadata__ value '", key, "' must be a string");
        result.metadata[key] = text.get<std::string>();
      }
      continue;
    }
    entries.push_back(parse_entry(name, value, source));
  }

  const uint64_t data_size = bytes.size() - 8 - header_len;
  std::vector<const Entry*> by_offset;
  for (const Entry& e : entries) {
    TESSERA_CHECK(e.end <= data_size, source, ": tensor '", e.name, "': data_offsets [", e.begin, ", ", e.end,
                  "] out of range: the data section holds ", data_size, " bytes");
    by_offset.push_back(&e);
  }
  // Stable, so zero-size tensors sharing an offset keep the header's (sorted) name order.
  std::stable_sort(by_offset.begin(), by_offset.end(), [](const Entry* a, const Entry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t covered = 0;
  const Entry* previous = nullptr;
  for (const Entry* e : by_offset) {
    TESSERA_CHECK(e->begin >= covered, source, ": tensors '", previous ? previous->name : "", "' and '", e->name,
                  "' overlap (bytes ", e->begin, " to ", covered, ")");
    TESSERA_CHECK(e->begin == covered, source, ": bytes ", covered, " to ", e->begin,
                  " of the data section belong to no tensor (a hole before '", e->name, "')");
    covered = e->end;
    previous = e;
  }
  TESSERA_CHECK(covered == data_size, source, ": ", data_size - covered,
                " bytes at the end of the data section belong to no tensor");

  // Tensors in file order, which is also offset order for files we write.
  const char* data = bytes.data() + 8 + header_len;
  for (const Entry* e : by_offset) {
    Tensor t = Tensor::empty(e->shape, e->dtype);
    if (e->end > e->begin) std::memcpy(t.raw(), data + e->begin, e->end - e->begin);
    result.tensors.emplace_back(e->name, t);
  }
  return result;
}

Safetensors read_safetensors(const std::string& path) { return parse_safetensors(read_file(path), path); }

void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  std::set<std::string> names;
  for (const auto& [name, t] : tensors) {
    TESSERA_CHECK(t.defined(), "write_safetensors '", path, "': tensor '", name, "' is undefined");
    TESSERA_CHECK(names.insert(name).second, "write_safetensors '", path, "': tensor name '", name, "' given twice");
    TESSERA_CHECK(name != "__metadata__", "write_safetensors '", path, "': '__metadata__' is reserved");
    header[name] = {{"dtype", dtype_safetensors_name(t.dtype())},
                    {"shape", t.shape()},
                    {"data_offsets", {offset, offset + t.nbytes()}}};
    offset += t.nbytes();
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const json::exception& e) {
    fail("write_safetensors '", path, "': tensor names and metadata must be valid UTF-8 (", e.what(), ")");
  }
  text.append((8 - text.size() % 8) % 8, ' ');  // the data section starts 8-byte aligned
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((text.size() >> (8 * i)) & 0xff);
  bytes += text;
  bytes.reserve(bytes.size() + offset);
  for (const auto& [name, t] : tensors) bytes.append(static_cast<const char*>(t.raw()), t.nbytes());
  write_file_atomically(path, bytes);
}

}  // namespace tessera

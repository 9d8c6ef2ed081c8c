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

// Parses the header JSON, refusing duplicate top-level names (a plain parse would keep
// only the last one silently).
json parse_header(const std::string& text, const std::string& source) {
  std::set<std::string> names;
  std::string duplicate;
  json::parser_callback_t on_event = [&](int depth, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::key && depth == 1 && !names.insert(parsed.get<std::string>()).second &&
        duplicate.empty()) {
      duplicate = parsed.get<std::string>();
    }
    return true;
  };
  json header;
  try {
    header = json::parse(text, on_event);
  } catch (const json::parse_error& e) {
    fail(source, ": header is not valid JSON (", e.what(), ")");
  }
  TESSERA_CHECK(duplicate.empty(), source, ": tensor name '", duplicate, "' appears twice in the header");
  TESSERA_CHECK(header.is_object(), source, ": header must be a JSON object");
  return header;
}

Entry parse_entry(const std::string& name, const json& value, const std::string& source) {
  const std::string where = source + ": tensor '" + name + "'";
  TESSERA_CHECK(value.is_object(), where, ": expected an object with dtype, shape and data_offsets");
  TESSERA_CHECK(value.contains("dtype") && value["dtype"].is_string(), where, ": missing string field 'dtype'");
  TESSERA_CHECK(value.contains("shape") && value["shape"].is_array(), where, ": missing array field 'shape'");
  TESSERA_CHECK(value.contains("data_offsets") && value["data_offsets"].is_array() &&
                    value["data_offsets"].size() == 2,
                where, ": missing field 'data_offsets' of two integers");
  Entry entry;
  entry.name = name;
  const std::string dtype = value["dtype"].get<std::string>();
  TESSERA_CHECK(dtype_from_safetensors_name(dtype, &entry.dtype), where, ": unknown dtype '", dtype,
                "' (supported: F32, BF16, F16, I32, I64, U8)");
  uint64_t numel = 1;
  for (const json& d : value["shape"]) {
    TESSERA_CHECK(d.is_number_unsigned(), where, ": shape entries must be non-negative integers, found ", d.dump());
    const uint64_t dim = d.get<uint64_t>();
    TESSERA_CHECK(dim < (1ull << 40) && (numel == 0 || dim <= (1ull << 62) / numel), where, ": shape ",
                  value["shape"].dump(), " is too large");
    numel *= dim;
    entry.shape.push_back(static_cast<int64_t>(dim));
  }
  for (const json& o : value["data_offsets"]) {
    TESSERA_CHECK(o.is_number_unsigned(), where, ": data_offsets must be non-negative integers, found ",
                  value["data_offsets"].dump());
  }
  entry.begin = value["data_offsets"][0].get<uint64_t>();
  entry.end = value["data_offsets"][1].get<uint64_t>();
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
  std::sort(by_offset.begin(), by_offset.end(), [](const Entry* a, const Entry* b) {
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
    TESSERA_CHECK(names.insert(name).second, "write_safetensors '", path, "': tensor name '", name,
                  "' given twice");
    TESSERA_CHECK(name != "__metadata__", "write_safetensors '", path, "': '__metadata__' is reserved");
    header[name] = {{"dtype", dtype_safetensors_name(t.dtype())},
                    {"shape", t.shape()},
                    {"data_offsets", {offset, offset + t.nbytes()}}};
    offset += t.nbytes();
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // the data section starts 8-byte aligned
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((text.size() >> (8 * i)) & 0xff);
  bytes += text;
  bytes.reserve(bytes.size() + offset);
  for (const auto& [name, t] : tensors) bytes.append(static_cast<const char*>(t.raw()), t.nbytes());
  write_file_atomically(path, bytes);
}

}  // namespace tessera

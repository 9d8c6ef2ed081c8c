#include "core/dtype.h"

#include <array>

namespace tessera {

namespace {

struct DTypeInfo {
  DType dtype;
  size_t size;
  const char* name;
  const char* safetensors_name;
  bool integer;
};

// One row per dtype, in enum order: every property of a dtype is read from here.
constexpr std::array<DTypeInfo, 6> kDTypes = {{
    {DType::f32, 4, "f32", "F32", false},
    {DType::bf16, 2, "bf16", "BF16", false},
    {DType::f16, 2, "f16", "F16", false},
    {DType::i32, 4, "i32", "I32", true},
    {DType::i64, 8, "i64", "I64", true},
    {DType::u8, 1, "u8", "U8", true},
}};

const DTypeInfo& info(DType dtype) { return kDTypes[static_cast<size_t>(dtype)]; }

}  // namespace

size_t dtype_size(DType dtype) { return info(dtype).size; }
const char* dtype_name(DType dtype) { return info(dtype).name; }
const char* dtype_safetensors_name(DType dtype) { return info(dtype).safetensors_name; }
bool dtype_is_integer(DType dtype) { return info(dtype).integer; }

bool dtype_from_safetensors_name(const std::string& name, DType* out) {
  for (const DTypeInfo& d : kDTypes) {
    if (name == d.safetensors_name) {
      *out = d.dtype;
      return true;
    }
  }
  return false;
}

const char* device_name(Device device) { return device == Device::cpu ? "cpu" : "cuda"; }

}  // namespace tessera

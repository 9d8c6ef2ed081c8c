#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace tessera {

// Element types a tensor may hold. Compute runs in f32; the 16-bit floats are storage
// formats (checkpoints, activations later on the GPU); integers carry ids and indices.
enum class DType : uint8_t { f32, bf16, f16, i32, i64, u8 };

size_t dtype_size(DType dtype);
const char* dtype_name(DType dtype);  // "f32", "bf16", ...
bool dtype_is_integer(DType dtype);   // i32, i64, u8

// Names as the safetensors format spells them ("F32", "BF16", "I64", ...).
const char* dtype_safetensors_name(DType dtype);
// Returns false when the name is not one we support.
bool dtype_from_safetensors_name(const std::string& name, DType* out);

template <class T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() {
  return DType::f32;
}
template <>
constexpr DType dtype_of<int32_t>() {
  return DType::i32;
}
template <>
constexpr DType dtype_of<int64_t>() {
  return DType::i64;
}
template <>
constexpr DType dtype_of<uint8_t>() {
  return DType::u8;
}

enum class Device : uint8_t { cpu, cuda };
const char* device_name(Device device);

}  // namespace tessera

#include "core/tensor.h"

#include <cstdlib>
#include <cstring>

#include "core/half.h"

namespace tessera {

Storage::Storage(size_t bytes, Device dev) : nbytes(bytes), device(dev) {
  TESSERA_CHECK(dev == Device::cpu, "tensor storage on ", device_name(dev), " is not available in this build");
  const size_t rounded = (bytes + 63) / 64 * 64;
  data = std::aligned_alloc(64, rounded == 0 ? 64 : rounded);
  TESSERA_CHECK(data != nullptr, "out of memory allocating ", bytes, " bytes");
}

Storage::~Storage() { std::free(data); }

namespace {

std::shared_ptr<TensorImpl> make_impl(const Shape& shape, DType dtype) {
  for (int64_t d : shape) TESSERA_CHECK(d >= 0, "tensor shape ", shape_str(shape), " has a negative dimension");
  auto impl = std::make_shared<TensorImpl>();
  impl->shape = shape;
  impl->dtype = dtype;
  impl->storage = std::make_shared<Storage>(static_cast<size_t>(shape_numel(shape)) * dtype_size(dtype), Device::cpu);
  return impl;
}

}  // namespace

Tensor Tensor::empty(const Shape& shape, DType dtype) { return Tensor(make_impl(shape, dtype)); }

Tensor Tensor::zeros(const Shape& shape, DType dtype) {
  Tensor t = empty(shape, dtype);
  std::memset(t.raw(), 0, t.nbytes());
  return t;
}

Tensor Tensor::full(const Shape& shape, float value) {
  Tensor t = empty(shape, DType::f32);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = value;
  return t;
}

Tensor Tensor::from_vector(const std::vector<float>& values, const Shape& shape) {
  TESSERA_CHECK(static_cast<int64_t>(values.size()) == shape_numel(shape), "from_vector: ", values.size(),
                " values do not fill shape ", shape_str(shape));
  Tensor t = empty(shape, DType::f32);
  std::memcpy(t.raw(), values.data(), t.nbytes());
  return t;
}

Tensor Tensor::from_vector(const std::vector<int32_t>& values, const Shape& shape) {
  TESSERA_CHECK(static_cast<int64_t>(values.size()) == shape_numel(shape), "from_vector: ", values.size(),
                " values do not fill shape ", shape_str(shape));
  Tensor t = empty(shape, DType::i32);
  std::memcpy(t.raw(), values.data(), t.nbytes());
  return t;
}

const TensorImpl& Tensor::get(const char* what) const {
  TESSERA_CHECK(impl_ != nullptr, what, " of an undefined tensor");
  return *impl_;
}

const Shape& Tensor::shape() const { return get("shape").shape; }
int64_t Tensor::numel() const { return shape_numel(shape()); }
DType Tensor::dtype() const { return get("dtype").dtype; }
Device Tensor::device() const { return get("device").storage->device; }
void* Tensor::raw() const { return get("data").storage->data; }

int64_t Tensor::size(int axis) const { return shape()[normalize_axis(axis, ndim(), "size")]; }

void Tensor::check_dtype(DType expected, const char* what) const {
  TESSERA_CHECK(dtype() == expected, what, ": expected a ", dtype_name(expected), " tensor, found ",
                dtype_name(dtype()), " of shape ", shape_str(shape()));
}

Tensor Tensor::view(const Shape& new_shape) const {
  Shape resolved = new_shape;
  int64_t known = 1;
  int inferred = -1;
  for (size_t i = 0; i < resolved.size(); ++i) {
    if (resolved[i] == -1) {
      TESSERA_CHECK(inferred < 0, "view ", shape_str(shape()), " as ", shape_str(new_shape),
                    ": only one dimension may be -1");
      inferred = static_cast<int>(i);
    } else {
      known *= resolved[i];
    }
  }
  if (inferred >= 0 && known > 0 && numel() % known == 0) resolved[inferred] = numel() / known;
  TESSERA_CHECK(shape_numel(resolved) == numel() && (inferred < 0 || known > 0), "view ", shape_str(shape()),
                " as ", shape_str(new_shape), ": element counts differ (", numel(), " vs ", shape_numel(resolved),
                ")");
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = get("view").storage;
  impl->shape = resolved;
  impl->dtype = dtype();
  return Tensor(impl);
}

Tensor Tensor::clone() const {
  Tensor out = empty(shape(), dtype());
  std::memcpy(out.raw(), raw(), nbytes());
  return out;
}

Tensor Tensor::to(DType target) const {
  if (target == dtype()) return *this;
  const int64_t n = numel();
  Tensor out = empty(shape(), target);
  // Every conversion goes through f32 (or i64 for integers to integers), which is exact
  // for all pairs we support except integer magnitudes beyond 2^24 into floats.
  std::vector<float> wide;
  const bool integer_src = dtype() == DType::i32 || dtype() == DType::i64 || dtype() == DType::u8;
  const bool integer_dst = target == DType::i32 || target == DType::i64 || target == DType::u8;
  if (integer_src && integer_dst) {
    for (int64_t i = 0; i < n; ++i) {
      int64_t v = dtype() == DType::i32 ? data<int32_t>()[i] : dtype() == DType::i64 ? data<int64_t>()[i] : data<uint8_t>()[i];
      if (target == DType::i32) out.data<int32_t>()[i] = static_cast<int32_t>(v);
      else if (target == DType::i64) out.data<int64_t>()[i] = v;
      else out.data<uint8_t>()[i] = static_cast<uint8_t>(v);
    }
    return out;
  }
  wide = to_vector();
  switch (target) {
    case DType::f32: std::memcpy(out.raw(), wide.data(), n * 4); break;
    case DType::bf16:
      for (int64_t i = 0; i < n; ++i) static_cast<uint16_t*>(out.raw())[i] = f32_to_bf16(wide[i]);
      break;
    case DType::f16:
      for (int64_t i = 0; i < n; ++i) static_cast<uint16_t*>(out.raw())[i] = f32_to_f16(wide[i]);
      break;
    case DType::i32:
      for (int64_t i = 0; i < n; ++i) out.data<int32_t>()[i] = static_cast<int32_t>(wide[i]);
      break;
    case DType::i64:
      for (int64_t i = 0; i < n; ++i) out.data<int64_t>()[i] = static_cast<int64_t>(wide[i]);
      break;
    case DType::u8:
      for (int64_t i = 0; i < n; ++i) out.data<uint8_t>()[i] = static_cast<uint8_t>(wide[i]);
      break;
  }
  return out;
}

std::vector<float> Tensor::to_vector() const {
  const int64_t n = numel();
  std::vector<float> out(static_cast<size_t>(n));
  const void* p = raw();
  switch (dtype()) {
    case DType::f32: std::memcpy(out.data(), p, n * 4); break;
    case DType::bf16:
      for (int64_t i = 0; i < n; ++i) out[i] = bf16_to_f32(static_cast<const uint16_t*>(p)[i]);
      break;
    case DType::f16:
      for (int64_t i = 0; i < n; ++i) out[i] = f16_to_f32(static_cast<const uint16_t*>(p)[i]);
      break;
    case DType::i32:
      for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(static_cast<const int32_t*>(p)[i]);
      break;
    case DType::i64:
      for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(static_cast<const int64_t*>(p)[i]);
      break;
    case DType::u8:
      for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(static_cast<const uint8_t*>(p)[i]);
      break;
  }
  return out;
}

float Tensor::item() const {
  TESSERA_CHECK(numel() == 1, "item: expected a one-element tensor, found shape ", shape_str(shape()));
  check_dtype(DType::f32, "item");
  return data<float>()[0];
}

bool Tensor::shares_storage_with(const Tensor& other) const {
  return defined() && other.defined() && impl_->storage == other.impl_->storage;
}

bool Tensor::requires_grad() const { return defined() && impl_->requires_grad; }

Tensor& Tensor::set_requires_grad(bool wanted) {
  TESSERA_CHECK(is_leaf(), "set_requires_grad: tensor ", shape_str(shape()),
                " was produced by an op; only leaf tensors (parameters, inputs) can be marked");
  TESSERA_CHECK(!wanted || dtype() == DType::f32, "set_requires_grad: gradients need an f32 tensor, found ",
                dtype_name(dtype()));
  impl_->requires_grad = wanted;
  return *this;
}

bool Tensor::is_leaf() const { return get("is_leaf").grad_fn == nullptr; }
Tensor Tensor::grad() const { return Tensor(get("grad").grad); }
bool Tensor::grad_owned() const { return get("grad").grad_owned; }

void Tensor::set_grad(const Tensor& grad, bool owned) const {
  if (grad.defined()) {
    TESSERA_CHECK(grad.shape() == shape(), "gradient of shape ", shape_str(grad.shape()),
                  " does not match its tensor of shape ", shape_str(shape()));
  }
  impl_->grad = grad.impl_ptr();
  impl_->grad_owned = owned;
}

void Tensor::zero_grad() const {
  impl_->grad.reset();
  impl_->grad_owned = false;
}

const std::shared_ptr<autograd::Node>& Tensor::grad_fn() const { return get("grad_fn").grad_fn; }
void Tensor::set_grad_fn(std::shared_ptr<autograd::Node> node) const { impl_->grad_fn = std::move(node); }

const std::string& Tensor::name() const { return get("name").name; }
Tensor& Tensor::set_name(std::string name) {
  impl_->name = std::move(name);
  return *this;
}

}  // namespace tessera

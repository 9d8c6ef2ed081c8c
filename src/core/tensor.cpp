#include "core/tensor.h"

#include <cmath>
#include <cstring>

#include "core/allocator.h"
#include "core/half.h"

namespace tessera {

Storage::Storage(size_t bytes, Device dev) : nbytes(bytes), device(dev) {
  TESSERA_CHECK(dev == Device::cpu, "tensor storage on ", device_name(dev), " is not available in this build");
  data = allocate_host(bytes);
}

Storage::~Storage() { free_host(data, nbytes); }

namespace {

std::shared_ptr<TensorImpl> make_impl(const Shape& shape, DType dtype) {
  for (int64_t d : shape) TESSERA_CHECK(d >= 0, "tensor shape ", shape_str(shape), " has a negative dimension");
  const int64_t numel = shape_numel(shape);
  TESSERA_CHECK(numel <= INT64_MAX / static_cast<int64_t>(dtype_size(dtype)), "tensor shape ", shape_str(shape), " of ",
                dtype_name(dtype), " needs more bytes than a 64-bit size holds");
  auto impl = std::make_shared<TensorImpl>();
  impl->shape = shape;
  impl->dtype = dtype;
  impl->storage = std::make_shared<Storage>(static_cast<size_t>(numel) * dtype_size(dtype), Device::cpu);
  return impl;
}

int64_t load_integer(const void* p, DType dtype, int64_t i) {
  switch (dtype) {
    case DType::i32:
      return static_cast<const int32_t*>(p)[i];
    case DType::i64:
      return static_cast<const int64_t*>(p)[i];
    default:
      return static_cast<const uint8_t*>(p)[i];
  }
}

void store_integer(void* p, DType dtype, int64_t i, int64_t value) {
  switch (dtype) {
    case DType::i32:
      static_cast<int32_t*>(p)[i] = static_cast<int32_t>(value);
      break;
    case DType::i64:
      static_cast<int64_t*>(p)[i] = value;
      break;
    default:
      static_cast<uint8_t*>(p)[i] = static_cast<uint8_t>(value);
      break;
  }
}

// The inclusive range of an integer dtype, as doubles for checking float sources too
// (2^63 is exact in double; the largest i64 is not, so the upper check is `< 2^63`).
void integer_range(DType dtype, double* lo, double* hi_exclusive) {
  switch (dtype) {
    case DType::i32:
      *lo = -2147483648.0, *hi_exclusive = 2147483648.0;
      break;
    case DType::i64:
      *lo = -9223372036854775808.0, *hi_exclusive = 9223372036854775808.0;
      break;
    default:
      *lo = 0, *hi_exclusive = 256;
      break;
  }
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
  if (!values.empty()) std::memcpy(t.raw(), values.data(), t.nbytes());  // data() of an empty vector may be null
  return t;
}

Tensor Tensor::from_vector(const std::vector<int32_t>& values, const Shape& shape) {
  TESSERA_CHECK(static_cast<int64_t>(values.size()) == shape_numel(shape), "from_vector: ", values.size(),
                " values do not fill shape ", shape_str(shape));
  Tensor t = empty(shape, DType::i32);
  if (!values.empty()) std::memcpy(t.raw(), values.data(), t.nbytes());  // data() of an empty vector may be null
  return t;
}

TensorImpl& Tensor::get(const char* what) const {
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
  const int64_t n = numel();
  auto refuse = [&](const auto&... why) {
    fail("view ", shape_str(shape()), " as ", shape_str(new_shape), ": ", why...);
  };
  Shape resolved = new_shape;
  int inferred = -1;
  int64_t known = 1;
  for (size_t i = 0; i < resolved.size(); ++i) {
    if (resolved[i] == -1) {
      if (inferred >= 0) refuse("only one dimension may be -1");
      inferred = static_cast<int>(i);
    } else if (resolved[i] < 0) {
      refuse("dimension ", resolved[i], " is negative (only -1, for one inferred dimension, is allowed)");
    } else if (__builtin_mul_overflow(known, resolved[i], &known)) {
      refuse("element counts differ (", n, " vs more than a 64-bit count holds)");
    }
  }
  if (inferred >= 0) {
    if (known == 0 || n % known != 0) refuse("no size of the -1 dimension gives ", n, " elements");
    resolved[inferred] = n / known;
  } else if (known != n) {
    refuse("element counts differ (", n, " vs ", known, ")");
  }
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = get("view").storage;
  impl->shape = resolved;
  impl->dtype = dtype();
  return Tensor(impl);
}

Tensor Tensor::leading(int64_t n) const {
  TESSERA_CHECK(ndim() >= 1 && n >= 0 && n <= size(0), "leading ", n, " of ", shape_str(shape()),
                ": expected 0 <= n <= the size of axis 0");
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = get("leading").storage;
  impl->shape = shape();
  impl->shape[0] = n;
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
  void* dst = out.raw();
  auto out_of_range = [&](int64_t i, const auto& value) {
    fail("to(", dtype_name(target), "): element ", i, " of the ", dtype_name(dtype()), " tensor ", shape_str(shape()),
         " is ", value, ", which ", dtype_name(target), " cannot hold");
  };
  double lo = 0, hi_exclusive = 0;
  if (dtype_is_integer(target)) integer_range(target, &lo, &hi_exclusive);
  if (dtype_is_integer(dtype()) && dtype_is_integer(target)) {  // exact through i64; values out of range are refused
    for (int64_t i = 0; i < n; ++i) {
      const int64_t v = load_integer(raw(), dtype(), i);
      if (static_cast<double>(v) < lo || static_cast<double>(v) >= hi_exclusive) out_of_range(i, v);
      store_integer(dst, target, i, v);
    }
    return out;
  }
  // Everything else goes through f32, which is exact except for integer magnitudes beyond
  // 2^24 (rounded to nearest, as PyTorch does). Floats become integers by truncation
  // toward zero; NaN, infinities and values out of the target's range are refused.
  const std::vector<float> wide = to_vector();
  switch (target) {
    case DType::f32:
      if (n > 0) std::memcpy(dst, wide.data(), n * sizeof(float));
      break;
    case DType::bf16:
      for (int64_t i = 0; i < n; ++i) static_cast<uint16_t*>(dst)[i] = f32_to_bf16(wide[i]);
      break;
    case DType::f16:
      for (int64_t i = 0; i < n; ++i) static_cast<uint16_t*>(dst)[i] = f32_to_f16(wide[i]);
      break;
    case DType::i32:
    case DType::i64:
    case DType::u8:
      for (int64_t i = 0; i < n; ++i) {
        const double t = std::trunc(static_cast<double>(wide[i]));
        if (!(t >= lo && t < hi_exclusive)) out_of_range(i, wide[i]);
        store_integer(dst, target, i, static_cast<int64_t>(t));
      }
      break;
  }
  return out;
}

std::vector<float> Tensor::to_vector() const {
  const int64_t n = numel();
  std::vector<float> out(static_cast<size_t>(n));
  const void* p = raw();
  switch (dtype()) {
    case DType::f32:
      if (n > 0) std::memcpy(out.data(), p, n * 4);  // data() of an empty vector may be null
      break;
    case DType::bf16:
      for (int64_t i = 0; i < n; ++i) out[i] = bf16_to_f32(static_cast<const uint16_t*>(p)[i]);
      break;
    case DType::f16:
      for (int64_t i = 0; i < n; ++i) out[i] = f16_to_f32(static_cast<const uint16_t*>(p)[i]);
      break;
    case DType::i32:
    case DType::i64:
    case DType::u8:
      for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(load_integer(p, dtype(), i));
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
  TensorImpl& impl = get("set_grad");
  if (grad.defined()) {
    TESSERA_CHECK(grad.shape() == shape(), "gradient of shape ", shape_str(grad.shape()),
                  " does not match its tensor of shape ", shape_str(shape()));
  }
  impl.grad = grad.impl_ptr();
  impl.grad_owned = owned;
}

void Tensor::zero_grad() const {
  TensorImpl& impl = get("zero_grad");
  impl.grad.reset();
  impl.grad_owned = false;
}

const std::shared_ptr<autograd::Node>& Tensor::grad_fn() const { return get("grad_fn").grad_fn; }
void Tensor::set_grad_fn(std::shared_ptr<autograd::Node> node) const { get("set_grad_fn").grad_fn = std::move(node); }

const std::string& Tensor::name() const { return get("name").name; }
Tensor& Tensor::set_name(std::string name) {
  get("set_name").name = std::move(name);
  return *this;
}

}  // namespace tessera

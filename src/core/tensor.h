#pragma once
// Tensor: a shape, a dtype, a device and contiguous row-major storage with shared
// ownership. Copies of a Tensor are handles to the same tensor; `view` shares storage
// under a new shape; everything that changes the memory layout is an explicit copy.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"
#include "core/shape.h"

namespace tessera {

namespace autograd {
struct Node;  // the recorded backward of the op that produced a tensor (src/autograd)
}

// A block of memory, 64-byte aligned, freed with the last tensor that uses it.
struct Storage {
  Storage(size_t nbytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data = nullptr;
  size_t nbytes = 0;
  Device device = Device::cpu;
};

struct TensorImpl;

class Tensor {
 public:
  Tensor() = default;  // an undefined tensor (e.g. a gradient not yet computed)

  static Tensor empty(const Shape& shape, DType dtype = DType::f32);
  static Tensor zeros(const Shape& shape, DType dtype = DType::f32);
  static Tensor full(const Shape& shape, float value);
  static Tensor scalar(float value) { return full({}, value); }
  static Tensor from_vector(const std::vector<float>& values, const Shape& shape);
  static Tensor from_vector(const std::vector<int32_t>& values, const Shape& shape);

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const;
  int ndim() const { return static_cast<int>(shape().size()); }
  int64_t size(int axis) const;  // negative axes count from the end
  int64_t numel() const;
  DType dtype() const;
  Device device() const;
  size_t nbytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype()); }

  // Typed access; throws when T does not match the dtype.
  template <class T>
  T* data() const {
    check_dtype(dtype_of<T>(), "data access");
    return static_cast<T*>(raw());
  }
  void* raw() const;

  // Same storage, new shape with the same element count; one dimension may be -1.
  // Not recorded by autograd: differentiable code uses reshape (autograd/layout.h).
  Tensor view(const Shape& shape) const;
  // The first n entries along axis 0, sharing storage: they are a contiguous prefix, so
  // this is free (a growing KV cache is read this way). Not recorded by autograd.
  Tensor leading(int64_t n) const;
  Tensor clone() const;  // a deep copy, detached from autograd
  // A converted copy (or this tensor when already of that dtype). Floats round to nearest
  // even into bf16/f16 and truncate toward zero into integers; a value the target cannot
  // hold (NaN or out of range into an integer type) is an error naming it.
  Tensor to(DType dtype) const;
  std::vector<float> to_vector() const;  // any float dtype, widened to f32
  float item() const;                    // the value of a one-element f32 tensor
  bool shares_storage_with(const Tensor& other) const;

  // Throws an Error naming `what`, the expected and the found dtype.
  void check_dtype(DType expected, const char* what) const;

  // --- autograd state (driven by src/autograd) ---
  bool requires_grad() const;
  // Marks a leaf tensor (a parameter or an input) as one whose gradient is wanted.
  Tensor& set_requires_grad(bool wanted);
  bool is_leaf() const;
  Tensor grad() const;  // undefined until a backward pass reached this tensor
  void set_grad(const Tensor& grad, bool owned) const;
  bool grad_owned() const;
  void zero_grad() const;  // drops the gradient; the next backward starts it afresh
  const std::shared_ptr<autograd::Node>& grad_fn() const;
  void set_grad_fn(std::shared_ptr<autograd::Node> node) const;

  // A name for messages (parameters carry theirs).
  const std::string& name() const;
  Tensor& set_name(std::string name);

  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

 private:
  TensorImpl& get(const char* what) const;  // throws naming `what` when undefined
  std::shared_ptr<TensorImpl> impl_;
};

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape;
  DType dtype = DType::f32;
  bool requires_grad = false;
  // The gradient; `grad_owned` says whether this tensor alone holds its storage, so that
  // accumulation may add in place instead of copying first.
  std::shared_ptr<TensorImpl> grad;
  bool grad_owned = false;
  std::shared_ptr<autograd::Node> grad_fn;
  std::string name;
};

}  // namespace tessera

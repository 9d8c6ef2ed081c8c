#include "autograd/layout.h"

#include <string>

#include "autograd/engine.h"
#include "kernels/cpu/layout.h"

namespace tessera {

namespace {

// Layout ops move bytes, so any dtype will do; only the device matters.
void check_layout_input(const char* op, const Tensor& x) {
  TESSERA_CHECK(x.defined(), op, ": the input tensor is undefined");
  TESSERA_CHECK(x.device() == Device::cpu, op, ": no ", device_name(x.device()), " kernel yet");
}

std::string axes_str(const std::vector<int>& axes) {
  std::string out = "[";
  for (size_t i = 0; i < axes.size(); ++i) out += (i ? ", " : "") + std::to_string(axes[i]);
  return out + "]";
}

// Product of shape[begin, end).
int64_t extent(const Shape& shape, size_t begin, size_t end) {
  int64_t n = 1;
  for (size_t k = begin; k < end; ++k) n *= shape[k];
  return n;
}

// `axes` already checked to be a permutation of x's dimensions.
Tensor permuted(const char* name, const Tensor& x, const std::vector<int>& axes) {
  Shape out_shape(axes.size());
  for (size_t i = 0; i < axes.size(); ++i) out_shape[i] = x.shape()[axes[i]];
  Tensor out = Tensor::empty(out_shape, x.dtype());
  kernels::cpu::permute(out.raw(), x.raw(), x.shape(), axes, dtype_size(x.dtype()));
  autograd::record(name, {x}, out, [x, axes](const Tensor&, const Tensor& grad) {
    std::vector<int> inverse(axes.size());
    for (size_t i = 0; i < axes.size(); ++i) inverse[axes[i]] = static_cast<int>(i);
    Tensor gx = Tensor::empty(x.shape());
    kernels::cpu::permute(gx.raw(), grad.raw(), grad.shape(), inverse, sizeof(float));
    autograd::accumulate_grad(x, gx);
  });
  return out;
}

}  // namespace

Tensor reshape(const Tensor& x, const Shape& shape) {
  check_layout_input("reshape", x);
  Tensor out;
  try {
    out = x.view(shape);
  } catch (const Error& e) {
    fail("reshape: ", e.what());
  }
  autograd::record("reshape", {x}, out,
                   [x](const Tensor&, const Tensor& grad) { autograd::accumulate_grad(x, grad.view(x.shape())); });
  return out;
}

Tensor transpose(const Tensor& x, int axis0, int axis1) {
  check_layout_input("transpose", x);
  std::vector<int> axes(static_cast<size_t>(x.ndim()));
  for (size_t i = 0; i < axes.size(); ++i) axes[i] = static_cast<int>(i);
  std::swap(axes[normalize_axis(axis0, x.ndim(), "transpose")], axes[normalize_axis(axis1, x.ndim(), "transpose")]);
  return permuted("transpose", x, axes);
}

Tensor permute(const Tensor& x, const std::vector<int>& axes) {
  check_layout_input("permute", x);
  const int ndim = x.ndim();
  std::vector<int> resolved(axes.size());
  std::vector<bool> seen(static_cast<size_t>(ndim), false);
  bool valid = static_cast<int>(axes.size()) == ndim;
  for (size_t i = 0; valid && i < axes.size(); ++i) {
    resolved[i] = axes[i] < 0 ? axes[i] + ndim : axes[i];
    valid = resolved[i] >= 0 && resolved[i] < ndim && !seen[resolved[i]];
    if (valid) seen[resolved[i]] = true;
  }
  TESSERA_CHECK(valid, "permute: axes ", axes_str(axes), " are not a permutation of the ", ndim,
                " dimensions of a tensor of shape ", shape_str(x.shape()));
  return permuted("permute", x, resolved);
}

Tensor concat(const std::vector<Tensor>& xs, int axis) {
  TESSERA_CHECK(!xs.empty(), "concat: needs at least one tensor");
  for (const Tensor& x : xs) check_layout_input("concat", x);
  const Tensor& first = xs.front();
  const int ax = normalize_axis(axis, first.ndim(), "concat");
  Shape out_shape = first.shape();
  out_shape[ax] = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    Shape expected = first.shape(), found = xs[i].shape();
    bool match = found.size() == expected.size();
    if (match) expected[ax] = found[ax];
    TESSERA_CHECK(match && found == expected, "concat: tensor ", i, " has shape ", shape_str(found),
                  " but tensor 0 has shape ", shape_str(first.shape()), "; all shapes must be equal except along axis ",
                  ax);
    TESSERA_CHECK(xs[i].dtype() == first.dtype(), "concat: tensor ", i, " is ", dtype_name(xs[i].dtype()),
                  " but tensor 0 is ", dtype_name(first.dtype()));
    out_shape[ax] += found[ax];
  }
  const int64_t outer = extent(out_shape, 0, ax);
  const int64_t inner_bytes =
      extent(out_shape, ax + 1, out_shape.size()) * static_cast<int64_t>(dtype_size(first.dtype()));
  const int64_t out_row = out_shape[ax] * inner_bytes;
  Tensor out = Tensor::empty(out_shape, first.dtype());
  int64_t offset = 0;
  for (const Tensor& x : xs) {
    const int64_t row = x.size(ax) * inner_bytes;
    kernels::cpu::copy_rows(static_cast<char*>(out.raw()) + offset, out_row, x.raw(), row, outer, row);
    offset += row;
  }
  autograd::record("concat", xs, out, [xs, ax, outer, inner_bytes, out_row](const Tensor&, const Tensor& grad) {
    int64_t offset = 0;
    for (const Tensor& x : xs) {
      const int64_t row = x.size(ax) * inner_bytes;
      if (x.requires_grad()) {
        Tensor gx = Tensor::empty(x.shape());
        kernels::cpu::copy_rows(gx.raw(), row, static_cast<const char*>(grad.raw()) + offset, out_row, outer, row);
        autograd::accumulate_grad(x, gx);
      }
      offset += row;
    }
  });
  return out;
}

Tensor slice(const Tensor& x, int axis, int64_t start, int64_t end) {
  check_layout_input("slice", x);
  const int ax = normalize_axis(axis, x.ndim(), "slice");
  const int64_t size = x.size(ax);
  TESSERA_CHECK(0 <= start && start <= end && end <= size, "slice: [", start, ", ", end, ") is out of range for axis ",
                ax, " of size ", size, " in a tensor of shape ", shape_str(x.shape()),
                " (need 0 <= start <= end <= ", size, ")");
  Shape out_shape = x.shape();
  out_shape[ax] = end - start;
  const int64_t outer = extent(out_shape, 0, ax);
  const int64_t inner_bytes = extent(out_shape, ax + 1, out_shape.size()) * static_cast<int64_t>(dtype_size(x.dtype()));
  Tensor out = Tensor::empty(out_shape, x.dtype());
  kernels::cpu::copy_rows(out.raw(), out_shape[ax] * inner_bytes,
                          static_cast<const char*>(x.raw()) + start * inner_bytes, size * inner_bytes, outer,
                          out_shape[ax] * inner_bytes);
  autograd::record("slice", {x}, out, [x, start, end, size, outer, inner_bytes](const Tensor&, const Tensor& grad) {
    Tensor gx = Tensor::empty(x.shape());
    kernels::cpu::place_rows(gx.raw(), size * inner_bytes, grad.raw(), (end - start) * inner_bytes, start * inner_bytes,
                             outer);
    autograd::accumulate_grad(x, gx);
  });
  return out;
}

}  // namespace tessera

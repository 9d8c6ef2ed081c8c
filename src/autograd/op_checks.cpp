#include "autograd/op_checks.h"

namespace tessera {

void check_float_op(const char* op, std::initializer_list<Tensor> tensors) {
  for (const Tensor& t : tensors) {
    TESSERA_CHECK(t.defined(), op, ": an input tensor is undefined");
    t.check_dtype(DType::f32, op);
    TESSERA_CHECK(t.device() == Device::cpu, op, ": no ", device_name(t.device()), " kernel yet");
  }
}

void check_same_shape(const char* op, const Tensor& a, const Tensor& b) {
  TESSERA_CHECK(a.shape() == b.shape(), op, ": shapes ", shape_str(a.shape()), " and ", shape_str(b.shape()),
                " must be equal");
}

float* data_or_null(const Tensor& t) { return t.defined() ? t.data<float>() : nullptr; }

Tensor grad_buffer(const Tensor& t) { return t.requires_grad() ? Tensor::empty(t.shape()) : Tensor(); }

}  // namespace tessera

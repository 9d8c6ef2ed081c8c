#include "autograd/sum_to.h"

#include "kernels/cpu/broadcast.h"

namespace tessera {

Tensor sum_to(const Tensor& full, const Shape& shape, float scale, const Tensor& y) {
  Tensor out = Tensor::empty(shape);
  kernels::cpu::sum_to_shape(kernels::cpu::plan_reduce(full.shape(), shape), full.data<float>(),
                             y.defined() ? y.data<float>() : nullptr, scale, out.data<float>());
  return out;
}

}  // namespace tessera

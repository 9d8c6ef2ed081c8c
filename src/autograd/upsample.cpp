#include "autograd/upsample.h"

#include "autograd/engine.h"
#include "autograd/op_checks.h"
#include "kernels/cpu/upsample.h"

namespace tessera {

namespace cpu = kernels::cpu;

Tensor upsample_nearest2d(const Tensor& x, int64_t scale) {
  check_float_op("upsample_nearest2d", {x});
  TESSERA_CHECK(x.ndim() == 4, "upsample_nearest2d: input must be (N, C, H, W), found shape ", shape_str(x.shape()));
  TESSERA_CHECK(scale >= 1, "upsample_nearest2d: scale must be at least 1, found ", scale);
  const int64_t planes = x.size(0) * x.size(1), H = x.size(2), W = x.size(3);
  Tensor out = Tensor::empty({x.size(0), x.size(1), H * scale, W * scale});
  cpu::upsample_nearest2d_forward(out.data<float>(), x.data<float>(), planes, H, W, scale);
  autograd::record("upsample_nearest2d", {x}, out, [x, planes, H, W, scale](const Tensor&, const Tensor& dout) {
    Tensor dx = Tensor::empty(x.shape());
    cpu::upsample_nearest2d_backward(dx.data<float>(), dout.data<float>(), planes, H, W, scale);
    autograd::accumulate_grad(x, dx);
  });
  return out;
}

}  // namespace tessera

#include "autograd/rope.h"

#include <cmath>

#include "autograd/engine.h"
#include "autograd/op_checks.h"
#include "kernels/cpu/rope.h"

namespace tessera {

namespace cpu = kernels::cpu;

Tensor rope(const Tensor& x, int64_t start_position, float theta) {
  check_float_op("rope", {x});
  TESSERA_CHECK(x.ndim() == 4, "rope: needs x of shape (B, T, H, D), found ", shape_str(x.shape()));
  const int64_t B = x.size(0), T = x.size(1), H = x.size(2), D = x.size(3);
  TESSERA_CHECK(D % 2 == 0, "rope: the head dimension D must be even to pair i with i + D/2, found D = ", D,
                " in x of shape ", shape_str(x.shape()));
  TESSERA_CHECK(start_position >= 0, "rope: start_position must be non-negative, found ", start_position);
  TESSERA_CHECK(std::isfinite(theta) && theta > 0.0f, "rope: theta must be positive, found ", theta);
  Tensor out = Tensor::empty(x.shape());
  // The angle table is small (T, D/2) next to x; the backward reuses it.
  Tensor cos = Tensor::empty({T, D / 2}), sin = Tensor::empty({T, D / 2});
  cpu::rope_angles(cos.data<float>(), sin.data<float>(), start_position, T, D, theta);
  cpu::rope_rotate(out.data<float>(), x.data<float>(), cos.data<float>(), sin.data<float>(), B, T, H, D, false);
  autograd::record("rope", {x}, out, [x, cos, sin, B, T, H, D](const Tensor&, const Tensor& dout) {
    Tensor dx = Tensor::empty(x.shape());
    cpu::rope_rotate(dx.data<float>(), dout.data<float>(), cos.data<float>(), sin.data<float>(), B, T, H, D, true);
    autograd::accumulate_grad(x, dx);
  });
  return out;
}

}  // namespace tessera

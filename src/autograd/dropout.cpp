#include "autograd/dropout.h"

#include "autograd/engine.h"
#include "autograd/op_checks.h"
#include "kernels/cpu/dropout.h"

namespace tessera {

// The mask is a function of one 64-bit seed drawn from `rng` and of each element's
// position (see kernels/cpu/dropout.h), so the backward rebuilds it instead of storing it.
Tensor dropout(const Tensor& x, float p, Rng& rng, bool training) {
  check_float_op("dropout", {x});
  TESSERA_CHECK(p >= 0.0f && p < 1.0f, "dropout: p must be in [0, 1), found ", p);
  if (!training || p == 0.0f) return x;
  const uint64_t seed = rng.next_u64();
  Tensor out = Tensor::empty(x.shape());
  kernels::cpu::dropout_apply(out.data<float>(), x.data<float>(), x.numel(), seed, p);
  autograd::record("dropout", {x}, out, [x, seed, p](const Tensor&, const Tensor& grad) {
    Tensor gx = Tensor::empty(x.shape());
    kernels::cpu::dropout_apply(gx.data<float>(), grad.data<float>(), grad.numel(), seed, p);
    autograd::accumulate_grad(x, gx);
  });
  return out;
}

}  // namespace tessera

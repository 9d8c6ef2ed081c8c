#include "optim/clip.h"

#include <cmath>

#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/reduce.h"

namespace tessera::optim {

float clip_grad_norm(const std::vector<Tensor>& params, float max_norm) {
  double total = 0;
  for (const Tensor& p : params) {
    const Tensor g = p.grad();
    if (g.defined()) total += kernels::cpu::sum_of_squares(g.data<float>(), g.numel());
  }
  const float norm = static_cast<float>(std::sqrt(total));
  if (max_norm > 0 && norm > max_norm) {
    const float scale = max_norm / (norm + 1e-6f);
    for (const Tensor& p : params) {
      Tensor g = p.grad();
      if (!g.defined()) continue;
      if (!p.grad_owned()) {  // the buffer may be shared with another tensor: scale a copy
        g = g.clone();
        p.set_grad(g, true);
      }
      kernels::cpu::scale_inplace(g.data<float>(), scale, g.numel());
    }
  }
  return norm;
}

}  // namespace tessera::optim

#include "codecs/norm_silu.h"

#include "autograd/activation.h"

namespace tessera::codecs {

Tensor norm_silu(const nn::GroupNorm& norm, const Tensor& x) { return silu(norm.forward(x)); }

}  // namespace tessera::codecs

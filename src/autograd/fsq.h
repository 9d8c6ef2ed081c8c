#pragma once
// Finite scalar quantization, the codecs' bottleneck (the math: kernels/cpu/fsq.h). Each
// channel i of a latent vector is bounded and rounded to one of levels[i] values in [-1, 1];
// the vector's code is the mixed-radix number of its levels, an id in [0, prod(levels)).
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace tessera {

// The number of codes: prod(levels). Checks that every level count is at least 2 and that
// the codes fit in i32; `what` names the caller in messages.
int64_t fsq_codebook_size(const std::vector<int32_t>& levels, const char* what);

// z: (..., d), d = levels.size() -> quantized values (..., d). The gradient passes straight
// through the rounding: it is the bound's.
Tensor fsq(const Tensor& z, const std::vector<int32_t>& levels);

// z: (..., d) -> u (..., d) = bound(z) / (L / 2), the continuous value that fsq rounds
// (kernels/cpu/fsq.h). Residual quantizers measure a stage's leftover against it.
// No gradient: an input that needs one while grad mode is on is an error.
Tensor fsq_bounded(const Tensor& z, const std::vector<int32_t>& levels);

// u: (..., d) in fsq_bounded's units -> the nearest level of each channel (..., d), clamped
// to the channel's range: values codes_from_fsq accepts. No gradient, as fsq_bounded.
Tensor fsq_nearest(const Tensor& u, const std::vector<int32_t>& levels);

// quantized: (..., d), as fsq produces -> i32 ids (...). A value that is not one of its
// channel's levels is an error naming it.
Tensor codes_from_fsq(const Tensor& quantized, const std::vector<int32_t>& levels);

// ids: i32 (...) in [0, prod(levels)) -> quantized values (..., d), the exact inverse of
// codes_from_fsq. Not differentiable (ids are integers).
Tensor fsq_from_codes(const Tensor& ids, const std::vector<int32_t>& levels);

}  // namespace tessera

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

// quantized: (..., d), as fsq produces -> i32 ids (...). A value that is not one of its
// channel's levels is an error naming it.
Tensor codes_from_fsq(const Tensor& quantized, const std::vector<int32_t>& levels);

// ids: i32 (...) in [0, prod(levels)) -> quantized values (..., d), the exact inverse of
// codes_from_fsq. Not differentiable (ids are integers).
Tensor fsq_from_codes(const Tensor& ids, const std::vector<int32_t>& levels);

}  // namespace tessera

#pragma once
// The level structure both conv codecs share, as its config section ("encoder"): one level
// per width, `res_blocks` residual blocks each, the first `downsamples` transitions halving
// the resolution, GroupNorm over `norm_groups` groups (each width divides into them).
#include <cstdint>
#include <vector>

#include "io/fields.h"

namespace tessera::codecs {

void conv_level_fields(Fields& f, std::vector<int64_t>& widths, int64_t& downsamples, int64_t& res_blocks,
                       int64_t& norm_groups);

}  // namespace tessera::codecs

#include "codecs/conv_levels.h"

namespace tessera::codecs {

void conv_level_fields(Fields& f, std::vector<int64_t>& widths, int64_t& downsamples, int64_t& res_blocks,
                       int64_t& norm_groups) {
  f.integers("widths", widths, {.min = 1, .required = true});
  f.integer("downsamples", downsamples, {.min = 0, .required = true});
  f.check(downsamples < static_cast<int64_t>(widths.size()), "downsamples",
          str("at most one fewer than the ", widths.size(), " levels of widths"), downsamples);
  f.integer("res_blocks", res_blocks, {.min = 0, .required = true});
  f.integer("norm_groups", norm_groups, {.min = 1});
  for (const int64_t w : widths)
    f.check(w % norm_groups == 0, "widths", str("multiples of norm_groups ", norm_groups), w);
}

}  // namespace tessera::codecs

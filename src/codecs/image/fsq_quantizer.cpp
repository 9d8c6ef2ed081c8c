#include "codecs/image/fsq_quantizer.h"

#include "autograd/fsq.h"
#include "autograd/layout.h"

namespace tessera::codecs {

Quantized FsqQuantizer::quantize(const Tensor& latents, Rng*) {
  const int64_t batch = latents.size(0), h = latents.size(2), w = latents.size(3);
  const Tensor q = fsq(latents_to_rows(latents), levels_);
  return {rows_to_latents(q, batch, h, w), codes_from_fsq(q, levels_).view({batch, h * w}), Tensor()};
}

Tensor FsqQuantizer::lookup(const Tensor& ids, int64_t grid_height, int64_t grid_width) const {
  const Tensor rows = fsq_from_codes(ids, levels_);
  return rows_to_latents(rows.view({-1, rows.size(-1)}), ids.size(0), grid_height, grid_width);
}

}  // namespace tessera::codecs

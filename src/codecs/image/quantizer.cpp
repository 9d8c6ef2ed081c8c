#include "codecs/image/quantizer.h"

#include "autograd/layout.h"
#include "codecs/image/fsq_quantizer.h"
#include "codecs/image/vq_quantizer.h"

namespace tessera::codecs {

Tensor latents_to_rows(const Tensor& latents) { return reshape(permute(latents, {0, 2, 3, 1}), {-1, latents.size(1)}); }

Tensor rows_to_latents(const Tensor& rows, int64_t batch, int64_t grid_height, int64_t grid_width) {
  return permute(reshape(rows, {batch, grid_height, grid_width, rows.size(1)}), {0, 3, 1, 2});
}

std::unique_ptr<Quantizer> make_quantizer(const ImageCodecConfig& c, Rng& rng) {
  if (c.quantizer == QuantizerType::fsq) return std::make_unique<FsqQuantizer>(c.fsq_levels);
  return std::make_unique<VqQuantizer>(c, rng);
}

}  // namespace tessera::codecs

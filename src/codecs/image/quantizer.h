#pragma once
// The image codec's bottleneck: latents (B, d, h, w) -> one code per grid cell, read in
// raster order, and the code vectors the decoder sees. FSQ and VQ implement it.
#include <memory>

#include "codecs/image/image_codec_config.h"
#include "core/rng.h"
#include "nn/module.h"

namespace tessera::codecs {

struct Quantized {
  Tensor values;  // (B, d, h, w): the codes' vectors, the gradient passing straight to the latents
  Tensor ids;     // i32 (B, h w), raster order
  Tensor loss;    // a term for the training loss (VQ's commitment), or undefined
};

class Quantizer {
 public:
  virtual ~Quantizer() = default;
  // `training` non-null: a training step, which may update the quantizer's own state
  // (VQ's EMA codebook) with randomness drawn from it.
  virtual Quantized quantize(const Tensor& latents, Rng* training) = 0;
  // ids: i32 (B, h w) -> (B, d, h, w). An id outside the vocabulary is an error naming it.
  virtual Tensor lookup(const Tensor& ids, int64_t grid_height, int64_t grid_width) const = 0;
  // State that is not a trained parameter, saved in the codec file ("quantizer.<name>").
  virtual nn::NamedTensors buffers() const { return {}; }
};

std::unique_ptr<Quantizer> make_quantizer(const ImageCodecConfig& config, Rng& rng);

// (B, d, h, w) -> (B h w, d): one latent vector per row, rows in raster order per image.
Tensor latents_to_rows(const Tensor& latents);
// (B h w, d) -> (B, d, h, w), the inverse.
Tensor rows_to_latents(const Tensor& rows, int64_t batch, int64_t grid_height, int64_t grid_width);

}  // namespace tessera::codecs

#pragma once
// The image codec's decoder, the encoder's mirror: latents (N, latent_dim, h, w) -> images
// (N, C, h 2^downsamples, w 2^downsamples) in [-1, 1].
//
//   proj: conv1x1 latent_dim -> widths[-1]
//   per level i from the last down: res_blocks ResidualBlocks at widths[i], then (except
//                after level 0) nearest upsampling x2 where the encoder halved, and a
//                conv3x3 widths[i] -> widths[i-1]
//   out:  GroupNorm + SiLU + conv3x3 widths[0] -> C, then tanh
//
// Nearest upsampling + convolution rather than a transposed convolution: it cannot leave
// the checkerboard pattern a stride-2 transposed kernel does (Odena et al. 2016).
// Parameter names: "proj", "blocks.<level>.<j>", "up.<level>", "norm_out", "conv_out".
#include <memory>
#include <vector>

#include "codecs/image/image_codec_config.h"
#include "codecs/image/residual_block.h"

namespace tessera::codecs {

class ImageDecoder : public nn::Module {
 public:
  ImageDecoder(const ImageCodecConfig& config, Rng& rng);
  Tensor forward(const Tensor& latents) const;

 private:
  int64_t downsamples_;
  std::unique_ptr<nn::Conv2d> proj_;
  std::vector<std::vector<std::unique_ptr<ResidualBlock>>> blocks_;  // [level][j]
  std::vector<std::unique_ptr<nn::Conv2d>> up_;                      // up_[i]: level i + 1 -> level i
  std::unique_ptr<nn::GroupNorm> norm_out_;
  std::unique_ptr<nn::Conv2d> conv_out_;
};

}  // namespace tessera::codecs

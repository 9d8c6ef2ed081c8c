#pragma once
// The image codec's convolutional encoder: images (N, C, H, W) in [-1, 1] -> latents
// (N, latent_dim, H / 2^downsamples, W / 2^downsamples).
//
//   stem: conv3x3 C -> widths[0]
//   per level i: res_blocks ResidualBlocks at widths[i], then (except after the last) a
//                conv3x3 widths[i] -> widths[i+1], stride 2 for the first `downsamples`
//   proj: GroupNorm + SiLU + conv1x1 widths[-1] -> latent_dim
//
// Parameter names: "stem", "blocks.<level>.<j>", "down.<level>", "norm_out", "proj".
#include <memory>
#include <vector>

#include "codecs/image/image_codec_config.h"
#include "codecs/image/residual_block.h"

namespace tessera::codecs {

class ImageEncoder : public nn::Module {
 public:
  ImageEncoder(const ImageCodecConfig& config, Rng& rng);
  Tensor forward(const Tensor& images) const;

 private:
  std::unique_ptr<nn::Conv2d> stem_;
  std::vector<std::vector<std::unique_ptr<ResidualBlock>>> blocks_;  // [level][j]
  std::vector<std::unique_ptr<nn::Conv2d>> down_;                    // between levels i and i + 1
  std::unique_ptr<nn::GroupNorm> norm_out_;
  std::unique_ptr<nn::Conv2d> proj_;
};

}  // namespace tessera::codecs

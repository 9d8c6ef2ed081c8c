#pragma once
// The audio codec's convolutional encoder over normalized log-mel frames: (N, n_mels, T)
// -> latents (N, latent_dim, T / 2^downsamples), T a multiple of 2^downsamples.
//
//   stem: conv k3 n_mels -> widths[0]
//   per level i: res_blocks ResidualBlock1d at widths[i], then (except after the last) a
//                conv k3 widths[i] -> widths[i+1], stride 2 for the first `downsamples`
//   proj: GroupNorm + SiLU + conv k1 widths[-1] -> latent_dim
//
// The mel bins are the stem's input channels, so every layer sees the whole spectrum of
// its frames and convolves along time only. Parameter names: "stem", "blocks.<level>.<j>",
// "down.<level>", "norm_out", "proj".
#include <memory>
#include <vector>

#include "codecs/audio/audio_codec_config.h"
#include "codecs/audio/residual_block_1d.h"

namespace tessera::codecs {

class AudioEncoder : public nn::Module {
 public:
  AudioEncoder(const AudioCodecConfig& config, Rng& rng);
  Tensor forward(const Tensor& mel) const;

 private:
  std::unique_ptr<nn::Conv1d> stem_;
  std::vector<std::vector<std::unique_ptr<ResidualBlock1d>>> blocks_;  // [level][j]
  std::vector<std::unique_ptr<nn::Conv1d>> down_;                      // between levels i and i + 1
  std::unique_ptr<nn::GroupNorm> norm_out_;
  std::unique_ptr<nn::Conv1d> proj_;
};

}  // namespace tessera::codecs

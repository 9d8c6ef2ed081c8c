#pragma once
// The audio codec's decoder, the encoder's mirror: latents (N, latent_dim, t) -> normalized
// log-mel (N, n_mels, t 2^downsamples).
//
//   proj: conv k1 latent_dim -> widths[-1]
//   per level i from the last down: res_blocks ResidualBlock1d at widths[i], then (except
//                after level 0) each frame repeated twice where the encoder halved, and a
//                conv k3 widths[i] -> widths[i-1]
//   out:  GroupNorm + SiLU + conv k3 widths[0] -> n_mels, unbounded (log-mel has no range)
//
// Repetition + convolution rather than a transposed convolution, as in the image codec:
// an overlapping stride-2 kernel paints a periodic pattern along time.
// Parameter names: "proj", "blocks.<level>.<j>", "up.<level>", "norm_out", "conv_out".
#include <memory>
#include <vector>

#include "codecs/audio/audio_codec_config.h"
#include "codecs/audio/residual_block_1d.h"

namespace tessera::codecs {

class AudioDecoder : public nn::Module {
 public:
  AudioDecoder(const AudioCodecConfig& config, Rng& rng);
  Tensor forward(const Tensor& latents) const;

 private:
  int64_t downsamples_;
  std::unique_ptr<nn::Conv1d> proj_;
  std::vector<std::vector<std::unique_ptr<ResidualBlock1d>>> blocks_;  // [level][j]
  std::vector<std::unique_ptr<nn::Conv1d>> up_;                        // up_[i]: level i + 1 -> level i
  std::unique_ptr<nn::GroupNorm> norm_out_;
  std::unique_ptr<nn::Conv1d> conv_out_;
};

// Nearest-neighbour upsampling along time: x (N, C, T) -> (N, C, 2T), each frame twice.
Tensor repeat_frames(const Tensor& x);

}  // namespace tessera::codecs

#include "codecs/audio/audio_encoder.h"

#include <string>

#include "codecs/norm_silu.h"

namespace tessera::codecs {

AudioEncoder::AudioEncoder(const AudioCodecConfig& c, Rng& rng) {
  const size_t levels = c.widths.size();
  stem_ = std::make_unique<nn::Conv1d>(c.mel.n_mels, c.widths[0], 3, 1, 1, rng);
  register_module("stem", *stem_);
  blocks_.resize(levels);
  for (size_t i = 0; i < levels; ++i) {
    for (int64_t j = 0; j < c.res_blocks; ++j) {
      blocks_[i].push_back(std::make_unique<ResidualBlock1d>(c.widths[i], c.norm_groups, rng));
      register_module("blocks." + std::to_string(i) + "." + std::to_string(j), *blocks_[i].back());
    }
    if (i + 1 < levels) {
      const int64_t stride = static_cast<int64_t>(i) < c.downsamples ? 2 : 1;
      down_.push_back(std::make_unique<nn::Conv1d>(c.widths[i], c.widths[i + 1], 3, stride, 1, rng));
      register_module("down." + std::to_string(i), *down_.back());
    }
  }
  norm_out_ = std::make_unique<nn::GroupNorm>(c.norm_groups, c.widths.back(), kCodecNormEps);
  register_module("norm_out", *norm_out_);
  proj_ = std::make_unique<nn::Conv1d>(c.widths.back(), c.latent_dim(), 1, 1, 0, rng);
  register_module("proj", *proj_);
}

Tensor AudioEncoder::forward(const Tensor& mel) const {
  Tensor h = stem_->forward(mel);
  for (size_t i = 0; i < blocks_.size(); ++i) {
    for (const auto& block : blocks_[i]) h = block->forward(h);
    if (i < down_.size()) h = down_[i]->forward(h);
  }
  return proj_->forward(norm_silu(*norm_out_, h));
}

}  // namespace tessera::codecs

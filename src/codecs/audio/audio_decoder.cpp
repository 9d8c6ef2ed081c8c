#include "codecs/audio/audio_decoder.h"

#include <string>

#include "autograd/layout.h"
#include "codecs/norm_silu.h"

namespace tessera::codecs {

AudioDecoder::AudioDecoder(const AudioCodecConfig& c, Rng& rng) : downsamples_(c.downsamples) {
  const size_t levels = c.widths.size();
  proj_ = std::make_unique<nn::Conv1d>(c.latent_dim(), c.widths.back(), 1, 1, 0, rng);
  register_module("proj", *proj_);
  blocks_.resize(levels);
  up_.resize(levels - 1);
  for (size_t i = levels; i-- > 0;) {
    for (int64_t j = 0; j < c.res_blocks; ++j) {
      blocks_[i].push_back(std::make_unique<ResidualBlock1d>(c.widths[i], c.norm_groups, rng));
      register_module("blocks." + std::to_string(i) + "." + std::to_string(j), *blocks_[i].back());
    }
    if (i > 0) {
      up_[i - 1] = std::make_unique<nn::Conv1d>(c.widths[i], c.widths[i - 1], 3, 1, 1, rng);
      register_module("up." + std::to_string(i - 1), *up_[i - 1]);
    }
  }
  norm_out_ = std::make_unique<nn::GroupNorm>(c.norm_groups, c.widths[0], kCodecNormEps);
  register_module("norm_out", *norm_out_);
  conv_out_ = std::make_unique<nn::Conv1d>(c.widths[0], c.mel.n_mels, 3, 1, 1, rng);
  register_module("conv_out", *conv_out_);
}

Tensor AudioDecoder::forward(const Tensor& latents) const {
  Tensor h = proj_->forward(latents);
  for (size_t i = blocks_.size(); i-- > 0;) {
    for (const auto& block : blocks_[i]) h = block->forward(h);
    if (i > 0) {
      // The encoder's transition i - 1 halved the frames when it was one of the first `downsamples`.
      if (static_cast<int64_t>(i) - 1 < downsamples_) h = repeat_frames(h);
      h = up_[i - 1]->forward(h);
    }
  }
  return conv_out_->forward(norm_silu(*norm_out_, h));
}

Tensor repeat_frames(const Tensor& x) {
  const int64_t n = x.size(0), c = x.size(1), t = x.size(2);
  const Tensor column = reshape(x, {n, c, t, 1});
  return reshape(concat({column, column}, 3), {n, c, 2 * t});
}

}  // namespace tessera::codecs

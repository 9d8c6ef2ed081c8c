#pragma once
// Vector quantization with an EMA codebook (van den Oord et al. 2017, appendix A.1): each
// latent vector becomes its nearest code (Euclidean, found by one GEMM against the
// codebook); the decoder gets the code with the gradient passed straight to the latent,
// and the loss gets commitment * ||z - sg(e)||^2. The codebook is not trained by the
// optimizer: each training step moves every code to the running mean of the vectors
// assigned to it,
//
//   cluster_size = decay cluster_size + (1 - decay) count
//   embed_sum    = decay embed_sum    + (1 - decay) sum of assigned vectors
//   code         = embed_sum / cluster_size
//
// and a code whose cluster_size falls below dead_code_threshold (assignments per step, a
// running mean) restarts on a random latent vector of the batch, with cluster_size set to
// the threshold, so unused codes keep trying new places instead of dying. The statistics
// start at zero, so the first step places every unused code on the data.
#include <vector>

#include "codecs/image/quantizer.h"

namespace tessera::codecs {

class VqQuantizer : public Quantizer {
 public:
  VqQuantizer(const ImageCodecConfig& config, Rng& rng);
  Quantized quantize(const Tensor& latents, Rng* training) override;
  Tensor lookup(const Tensor& ids, int64_t grid_height, int64_t grid_width) const override;
  // "codebook" (K, d), "cluster_size" (K), "embed_sum" (K, d); the codec loads into them.
  nn::NamedTensors buffers() const override;

  // i32 (N) nearest code of each row of rows (N, d); ties go to the lower id.
  Tensor nearest(const Tensor& rows) const;
  // One EMA step over rows (N, d) assigned to ids (N), then the dead-code restarts, drawing
  // replacement rows from `rng`. Returns the number of codes restarted.
  int64_t ema_update(const Tensor& rows, const Tensor& ids, Rng& rng);

  // Keeps only the codes `kept` (distinct ids in increasing order), renumbered 0..n-1 in
  // that order, with their EMA statistics.
  void keep_codes(const std::vector<int32_t>& kept);

  const Tensor& codebook() const { return codebook_; }
  const Tensor& cluster_size() const { return cluster_size_; }

 private:
  Tensor lookup_rows(const Tensor& ids) const;  // i32 (...) -> (numel, d)

  int64_t size_, dim_;
  float decay_, threshold_, commitment_;
  Tensor codebook_, cluster_size_, embed_sum_;
};

}  // namespace tessera::codecs

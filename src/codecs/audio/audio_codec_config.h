#pragma once
// The audio codec's shape, as JSON (stored in every codec file's metadata):
//
//   {
//     "mel": {"sample_rate": 16000, "n_fft": 1024, "win_length": 1024, "hop_length": 160,
//             "n_mels": 80, "f_min": 0, "f_max": 8000},
//     "encoder": {"widths": [64, 128, 256], "downsamples": 2, "res_blocks": 1, "norm_groups": 8},
//     "quantizer": {"type": "fsq", "levels": [8, 5, 5, 5], "stages": 2}
//   }
//
// "mel" is the front end's MelConfig (codecs/audio/mel_spectrogram.h). The encoder has one
// level per width over mel frames; between consecutive levels a kernel-3 convolution changes
// the width, with stride 2 for the first `downsamples` of them, so one code frame covers
// 2^downsamples mel frames. The quantizer is residual FSQ (residual_fsq.h): `stages` codes
// per code frame, each of prod(levels) values.
//
// Tokens: stage s's code c is the local id s * codebook + c, so vocab_size = stages *
// codebook, and a clip's ids are time-major: frame 0 stage 0, frame 0 stage 1, ..., frame 1
// stage 0, ... The token rate is mel frames per second / 2^downsamples * stages: the
// default hop of 160 at 16 kHz (100 frames/s), 2 downsamples and 2 stages make 50 tokens/s.
//
// "mel", "encoder" and "quantizer" are required, and so is every field of the last two but
// norm_groups (default 8) and stages (default 1); the mel fields default as MelConfig's.
// Unknown fields are errors.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "codecs/audio/mel_spectrogram.h"

namespace tessera::codecs {

struct AudioCodecConfig {
  MelConfig mel;

  std::vector<int64_t> widths;
  int64_t downsamples = 0;
  int64_t res_blocks = 1;
  int64_t norm_groups = 8;

  std::vector<int32_t> fsq_levels;  // levels per latent channel
  int64_t stages = 1;               // residual quantization stages

  void fields(Fields& f);
  // Parses and validates; `source` names the file in errors and `path` the object's place
  // in it ("codec" in a recipe, "" at the top of a file).
  static AudioCodecConfig from_json(const nlohmann::json& j, const std::string& source, const std::string& path = "");
  nlohmann::json to_json() const;

  int64_t latent_dim() const { return static_cast<int64_t>(fsq_levels.size()); }
  int64_t codebook_size() const;  // codes of one stage: prod(levels)
  int64_t vocab_size() const { return stages * codebook_size(); }
  int64_t frames_per_code() const { return int64_t{1} << downsamples; }  // mel frames per code frame
  // Code frames for `mel_frames` frames: the mel is padded up to a multiple of frames_per_code.
  int64_t code_frames(int64_t mel_frames) const { return (mel_frames + frames_per_code() - 1) / frames_per_code(); }
  int64_t tokens_for(int64_t mel_frames) const { return code_frames(mel_frames) * stages; }
  double tokens_per_second() const {
    return mel.frames_per_second() / static_cast<double>(frames_per_code()) * static_cast<double>(stages);
  }
};

}  // namespace tessera::codecs

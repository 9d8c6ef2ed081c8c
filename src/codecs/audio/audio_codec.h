#pragma once
// The audio codec: log-mel frames -> a convolutional encoder -> residual FSQ -> a
// convolutional decoder -> log-mel frames, and Griffin-Lim from there to a waveform. A clip
// becomes stages codes per 2^downsamples mel frames, time-major, as local ids
// 0..vocab_size()-1 (audio_codec_config.h says how ids and stages relate), which the
// shared Vocabulary maps into the audio range.
//
// The network sees normalized log-mel: each mel bin minus its mean, over its standard
// deviation, both measured on the training set when training starts and kept in the file,
// so that every bin reaches the first convolution at about unit scale (log-mel of speech
// spans roughly -11.5, the floor, to +5, and the bins differ widely in level and spread).
//
// A clip of T mel frames is padded to a multiple of 2^downsamples by repeating its last
// frame (a zero pad would be a jump to a loud level the encoder never saw at a clip's end);
// decode(ids, T) trims the padding off again.
//
// The file is ONE safetensors file: the parameters under their module names ("encoder.",
// "decoder."), the normalization as "norm.mean" and "norm.std" (n_mels each), and the
// config JSON in the metadata ("format": "tessera-audio-codec", "version": "1",
// "config": {...}). Loading is strict: every tensor present with its shape and dtype and
// nothing else; errors name the file and the field or tensor.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "codecs/audio/audio_codec_config.h"
#include "codecs/audio/audio_decoder.h"
#include "codecs/audio/audio_encoder.h"
#include "codecs/audio/griffin_lim.h"
#include "codecs/audio/residual_fsq.h"
#include "codecs/codec.h"

namespace tessera::codecs {

struct MelReconstruction {
  Tensor mel;  // normalized log-mel (B, n_mels, T), differentiable
  Tensor ids;  // i32 (B, tokens_for(T)), time-major local ids
};

class AudioCodec : public nn::Module, public Codec {
 public:
  static constexpr const char* kKind = "tessera-audio-codec";  // also the file's metadata "format"

  // A fresh codec with weights drawn from `rng` and the identity normalization (mean 0,
  // std 1); the config must be validated (from_json).
  AudioCodec(const AudioCodecConfig& config, Rng& rng);
  static std::unique_ptr<AudioCodec> load(const std::string& path);
  void save(const std::string& path) const override;  // atomically

  // log_mel: f32 (B, n_mels, T), T >= 1 -> i32 (B, tokens_for(T)).
  Tensor encode(const Tensor& log_mel) const;
  // ids: i32 (B, t stages) -> log-mel f32 (B, n_mels, frames), frames = t 2^downsamples, or
  // the first `frames` of them when frames > 0 (the clip's own length, trimming the padding).
  Tensor decode(const Tensor& ids, int64_t frames = 0) const;
  // Training: normalized log-mel (B, n_mels, T), T a multiple of frames_per_code(), through
  // the whole codec with gradients.
  MelReconstruction reconstruct(const Tensor& normalized) const;

  // A mono waveform at config().mel.sample_rate -> its ids (log-mel, then encode).
  std::vector<int32_t> encode_audio(const std::vector<float>& samples) const;
  // ids of one clip -> a waveform by Griffin-Lim on the decoded log-mel, (frames - 1) hop
  // samples for the t 2^downsamples decoded frames.
  std::vector<float> decode_audio(const std::vector<int32_t>& ids, const GriffinLimOptions& options = {}) const;
  // The front end of the codec's mel config, built on first use (FFT plans and filterbank).
  const MelSpectrogram& mel_spectrogram() const;

  // (log_mel - mean) / std per mel bin and back; x: (B, n_mels, T). No gradient.
  Tensor normalize(const Tensor& log_mel) const;
  Tensor denormalize(const Tensor& normalized) const;
  // Sets the per-bin statistics (n_mels each; every std > 0).
  void set_normalization(const std::vector<float>& mean, const std::vector<float>& std);
  const Tensor& mel_mean() const { return mean_; }  // (n_mels)
  const Tensor& mel_std() const { return std_; }    // (n_mels)

  Modality modality() const override { return Modality::audio; }
  std::string kind() const override { return kKind; }
  int64_t vocab_size() const override { return config_.vocab_size(); }
  // "16000 Hz, 80 mel bins -> 50 codes/s of 2000 (2 residual FSQ stages of 1000)"
  std::string description() const override;
  const AudioCodecConfig& config() const { return config_; }
  // Everything the file holds: the parameters, then "norm.mean" and "norm.std".
  nn::NamedTensors state() const;

 private:
  void check_mel(const Tensor& mel, const char* what) const;
  // (B, d, t) latents -> quantized (B, d, t) and ids (B, t stages)
  std::pair<Tensor, Tensor> quantize(const Tensor& latents) const;

  AudioCodecConfig config_;
  AudioEncoder encoder_;
  ResidualFsq quantizer_;
  AudioDecoder decoder_;
  Tensor mean_, std_;
  mutable std::once_flag mel_once_;
  mutable std::shared_ptr<const MelSpectrogram> mel_;
};

// A Spectrogram (frames, bins) as the codec's channels-first input (1, bins, frames), and a
// (1, bins, frames) or (bins, frames) tensor back as a Spectrogram.
Tensor spectrogram_to_tensor(const Spectrogram& s);
Spectrogram tensor_to_spectrogram(const Tensor& t);

}  // namespace tessera::codecs

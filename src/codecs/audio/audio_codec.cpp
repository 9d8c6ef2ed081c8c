#include "codecs/audio/audio_codec.h"

#include <cmath>
#include <cstring>

#include "autograd/elementwise.h"
#include "autograd/engine.h"
#include "autograd/layout.h"
#include "codecs/codec_file.h"
#include "io/safetensors.h"

namespace tessera::codecs {

namespace {

constexpr const char* kVersion = "1";
constexpr const char* kMeanName = "norm.mean";
constexpr const char* kStdName = "norm.std";

// x (B, C, T) -> (B, C, T') with T' the next multiple of `factor`, the last frame repeated.
Tensor pad_to_multiple(const Tensor& x, int64_t factor) {
  const int64_t t = x.size(2), padded = (t + factor - 1) / factor * factor;
  if (padded == t) return x;
  std::vector<Tensor> parts{x};
  const Tensor last = slice(x, 2, t - 1, t);
  for (int64_t i = t; i < padded; ++i) parts.push_back(last);
  return concat(parts, 2);
}

}  // namespace

AudioCodec::AudioCodec(const AudioCodecConfig& config, Rng& rng)
    : config_(config),
      encoder_(config, rng),
      quantizer_(config.fsq_levels, config.stages),
      decoder_(config, rng),
      mean_(Tensor::zeros({config.mel.n_mels})),
      std_(Tensor::full({config.mel.n_mels}, 1.0f)) {
  register_module("encoder", encoder_);
  register_module("decoder", decoder_);
}

void AudioCodec::check_mel(const Tensor& mel, const char* what) const {
  TESSERA_CHECK(mel.ndim() == 3 && mel.size(1) == config_.mel.n_mels && mel.size(2) >= 1, what,
                ": expected log-mel (B, ", config_.mel.n_mels, ", T) with T >= 1 as the codec's config says, found ",
                shape_str(mel.shape()));
  mel.check_dtype(DType::f32, what);
}

std::pair<Tensor, Tensor> AudioCodec::quantize(const Tensor& latents) const {
  const int64_t batch = latents.size(0), d = latents.size(1), t = latents.size(2);
  const ResidualQuantized q = quantizer_.quantize(reshape(permute(latents, {0, 2, 1}), {batch * t, d}));
  // Stage s's codes follow the s earlier stages' ranges; (B t, stages) is already time-major.
  Tensor ids = q.codes.clone().view({batch, t * config_.stages});
  int32_t* id = ids.data<int32_t>();
  const int64_t codebook = config_.codebook_size();
  for (int64_t i = 0; i < ids.numel(); ++i) id[i] += static_cast<int32_t>(i % config_.stages * codebook);
  return {permute(reshape(q.values, {batch, t, d}), {0, 2, 1}), ids};
}

Tensor AudioCodec::encode(const Tensor& log_mel) const {
  check_mel(log_mel, "audio codec encode");
  autograd::NoGradGuard no_grad;
  return quantize(encoder_.forward(pad_to_multiple(normalize(log_mel), config_.frames_per_code()))).second;
}

Tensor AudioCodec::decode(const Tensor& ids, int64_t frames) const {
  const int64_t stages = config_.stages, codebook = config_.codebook_size();
  TESSERA_CHECK(ids.ndim() == 2 && ids.size(1) > 0 && ids.size(1) % stages == 0,
                "audio codec decode: expected ids (B, ", "t x ", stages, ") for ", stages,
                " stages per code frame, found ", shape_str(ids.shape()));
  ids.check_dtype(DType::i32, "audio codec decode ids");
  const int64_t batch = ids.size(0), t = ids.size(1) / stages;
  const int64_t available = t * config_.frames_per_code();
  TESSERA_CHECK(frames >= 0 && frames <= available, "audio codec decode: ", t, " code frames decode to ", available,
                " mel frames, cannot trim to ", frames);
  Tensor codes = Tensor::empty({batch * t, stages}, DType::i32);
  const int32_t* id = ids.data<int32_t>();
  int32_t* code = codes.data<int32_t>();
  for (int64_t i = 0; i < ids.numel(); ++i) {
    const int64_t stage = i % stages, lo = stage * codebook;
    TESSERA_CHECK(id[i] >= lo && id[i] < lo + codebook, "audio codec decode: id ", id[i], " at position ",
                  i % ids.size(1), " is not a code of stage ", stage, " (ids [", lo, ", ", lo + codebook, "))");
    code[i] = static_cast<int32_t>(id[i] - lo);
  }
  autograd::NoGradGuard no_grad;
  const Tensor latents = permute(reshape(quantizer_.values(codes), {batch, t, config_.latent_dim()}), {0, 2, 1});
  const Tensor mel = denormalize(decoder_.forward(latents));
  return frames > 0 && frames < available ? slice(mel, 2, 0, frames) : mel;
}

MelReconstruction AudioCodec::reconstruct(const Tensor& normalized) const {
  check_mel(normalized, "audio codec");
  TESSERA_CHECK(normalized.size(2) % config_.frames_per_code() == 0,
                "audio codec: training crops must be a multiple of ", config_.frames_per_code(), " frames, found ",
                normalized.size(2));
  const auto [values, ids] = quantize(encoder_.forward(normalized));
  return {decoder_.forward(values), ids};
}

Tensor AudioCodec::normalize(const Tensor& log_mel) const {
  autograd::NoGradGuard no_grad;
  const int64_t bins = config_.mel.n_mels;
  return (log_mel - mean_.view({bins, 1})) / std_.view({bins, 1});
}

Tensor AudioCodec::denormalize(const Tensor& normalized) const {
  autograd::NoGradGuard no_grad;
  const int64_t bins = config_.mel.n_mels;
  return normalized * std_.view({bins, 1}) + mean_.view({bins, 1});
}

void AudioCodec::set_normalization(const std::vector<float>& mean, const std::vector<float>& std) {
  const auto bins = static_cast<size_t>(config_.mel.n_mels);
  TESSERA_CHECK(mean.size() == bins && std.size() == bins, "audio codec normalization: expected ", bins,
                " means and standard deviations (one per mel bin), found ", mean.size(), " and ", std.size());
  for (size_t i = 0; i < bins; ++i) {
    TESSERA_CHECK(std::isfinite(mean[i]) && std::isfinite(std[i]) && std[i] > 0, "audio codec normalization: bin ", i,
                  " has mean ", mean[i], " and std ", std[i], "; expected finite values and std > 0");
  }
  std::memcpy(mean_.data<float>(), mean.data(), bins * sizeof(float));
  std::memcpy(std_.data<float>(), std.data(), bins * sizeof(float));
}

std::string AudioCodec::description() const {
  const AudioCodecConfig& c = config_;
  return str(c.mel.sample_rate, " Hz, ", c.mel.n_mels, " mel bins -> ", c.tokens_per_second(), " codes/s of ",
             c.vocab_size(), " (", c.stages, " residual FSQ stage", c.stages == 1 ? "" : "s", " of ", c.codebook_size(),
             ")");
}

nn::NamedTensors AudioCodec::state() const {
  nn::NamedTensors out = named_parameters();
  out.emplace_back(kMeanName, mean_);
  out.emplace_back(kStdName, std_);
  return out;
}

void AudioCodec::save(const std::string& path) const {
  write_safetensors(path, state(), {{"format", kKind}, {"version", kVersion}, {"config", config_.to_json().dump()}});
}

std::unique_ptr<AudioCodec> AudioCodec::load(const std::string& path) {
  const Safetensors file = read_safetensors(path);
  const nlohmann::json config =
      codec_file_config(file, kKind, kVersion, "an audio codec file (from `tessera train` with an audio_codec recipe)");
  Rng unused(0);
  const SkipDraws overwritten_below;
  auto codec = std::make_unique<AudioCodec>(AudioCodecConfig::from_json(config, path, "__metadata__.config"), unused);
  nn::NamedTensors params;
  for (const auto& [name, t] : file.tensors) {
    if (name != kMeanName && name != kStdName) params.emplace_back(name, t);
  }
  codec->load_parameters(params, path);
  std::vector<std::vector<float>> statistics;
  for (const char* name : {kMeanName, kStdName}) {
    TESSERA_CHECK(file.contains(name), path, ": tensor '", name, "' is missing");
    const Tensor& t = file.get(name);
    const Shape expected{codec->config_.mel.n_mels};
    TESSERA_CHECK(t.dtype() == DType::f32 && t.shape() == expected, path, ": tensor '", name, "' is ",
                  dtype_name(t.dtype()), " ", shape_str(t.shape()), ", the config expects f32 ", shape_str(expected));
    statistics.push_back(t.to_vector());
  }
  try {
    codec->set_normalization(statistics[0], statistics[1]);
  } catch (const Error& e) {
    fail(path, ": ", e.what());
  }
  return codec;
}

Tensor spectrogram_to_tensor(const Spectrogram& s) {
  Tensor out = Tensor::empty({1, s.bins, s.frames});
  float* o = out.data<float>();
  for (int64_t t = 0; t < s.frames; ++t) {
    for (int64_t f = 0; f < s.bins; ++f) o[f * s.frames + t] = s.at(t, f);
  }
  return out;
}

Spectrogram tensor_to_spectrogram(const Tensor& t) {
  TESSERA_CHECK((t.ndim() == 3 && t.size(0) == 1) || t.ndim() == 2,
                "tensor_to_spectrogram: expected (1, bins, frames) or (bins, frames), found ", shape_str(t.shape()));
  Spectrogram s;
  s.bins = t.size(-2);
  s.frames = t.size(-1);
  s.values.resize(static_cast<size_t>(s.frames * s.bins));
  const float* in = t.data<float>();
  for (int64_t f = 0; f < s.bins; ++f) {
    for (int64_t i = 0; i < s.frames; ++i) s.values[static_cast<size_t>(i * s.bins + f)] = in[f * s.frames + i];
  }
  return s;
}

}  // namespace tessera::codecs

// The audio codec's waveform ends: the log-mel front end before encode, Griffin-Lim after
// decode (kept apart from the network so mel-only users never build FFT plans).
#include "codecs/audio/audio_codec.h"

namespace tessera::codecs {

const MelSpectrogram& AudioCodec::mel_spectrogram() const {
  std::call_once(mel_once_, [this] { mel_ = std::make_shared<const MelSpectrogram>(config_.mel); });
  return *mel_;
}

std::vector<int32_t> AudioCodec::encode_audio(const std::vector<float>& samples) const {
  TESSERA_CHECK(!samples.empty(), "audio codec encode: the clip has no samples");
  const Tensor ids = encode(spectrogram_to_tensor(mel_spectrogram().log_mel(samples)));
  return std::vector<int32_t>(ids.data<int32_t>(), ids.data<int32_t>() + ids.numel());
}

std::vector<float> AudioCodec::decode_audio(const std::vector<int32_t>& ids, const GriffinLimOptions& options) const {
  const Tensor mel = decode(Tensor::from_vector(ids, {1, static_cast<int64_t>(ids.size())}));
  return mel_to_waveform(mel_spectrogram(), tensor_to_spectrogram(mel), options);
}

}  // namespace tessera::codecs

#include "data/corpus_media.h"

#include <algorithm>
#include <exception>

#include "autograd/engine.h"

namespace tessera::data {

namespace {

constexpr int64_t kImageBatch = 64;
constexpr int64_t kClipChunk = 64;

}  // namespace

std::string fit_description(const ImageSet& set, const codecs::ImageCodecConfig& config) {
  const std::string from = str(set.height(), " x ", set.width(), " x ", set.channels());
  const bool resized = set.height() != config.height || set.width() != config.width;
  const bool converted = set.channels() != config.channels;
  if (!resized && !converted) return from + " (as is)";
  const char* channel_names[] = {"", "grey", "", "RGB", "RGBA"};
  std::string how = resized ? "resized" : "";
  if (converted) {
    how += str(resized ? ", " : "", channel_names[std::clamp<int64_t>(set.channels(), 0, 4)], " to ",
               channel_names[std::clamp<int64_t>(config.channels, 0, 4)]);
  }
  return str(from, " -> ", config.height, " x ", config.width, " x ", config.channels, " (", how, ")");
}

std::vector<std::vector<int32_t>> encode_images(const codecs::ImageCodec& codec, const ImageSet& set,
                                                const std::vector<int64_t>& indices, ProgressBar& bar, int64_t& done) {
  const codecs::ImageCodecConfig& c = codec.config();
  const int64_t n = static_cast<int64_t>(indices.size()), per_image = c.channels * c.height * c.width;
  const int64_t codes = codec.codes_per_image();
  std::vector<std::vector<int32_t>> out;
  out.reserve(indices.size());
  autograd::NoGradGuard no_grad;
  for (int64_t first = 0; first < n; first += kImageBatch) {
    const int64_t b = std::min(kImageBatch, n - first);
    Tensor batch = Tensor::empty({b, c.channels, c.height, c.width});  // (b, C, H, W) in [-1, 1]
    float* pixels = batch.data<float>();
#pragma omp parallel for
    for (int64_t i = 0; i < b; ++i) {
      const Image image = fit_image(set.image(indices[static_cast<size_t>(first + i)]), c.height, c.width, c.channels);
      pixels_to_chw(image.pixels.data(), c.height, c.width, c.channels, pixels + i * per_image);
    }
    const Tensor ids = codec.encode(batch);  // i32 (b, codes)
    const int32_t* p = ids.data<int32_t>();
    for (int64_t i = 0; i < b; ++i) out.emplace_back(p + i * codes, p + (i + 1) * codes);
    done += b;
    bar.update(done);
  }
  return out;
}

std::vector<std::vector<int32_t>> encode_clips(const codecs::AudioCodec& codec, const std::vector<SpeechClip>& clips,
                                               int64_t max_ids, ProgressBar& bar, int64_t& done) {
  const int64_t n = static_cast<int64_t>(clips.size()), rate = codec.config().mel.sample_rate;
  const codecs::MelSpectrogram& stft = codec.mel_spectrogram();
  std::vector<std::vector<int32_t>> out;
  out.reserve(clips.size());
  autograd::NoGradGuard no_grad;
  for (int64_t first = 0; first < n; first += kClipChunk) {
    const int64_t b = std::min(kClipChunk, n - first);
    std::vector<codecs::Spectrogram> mels(static_cast<size_t>(b));
    std::exception_ptr error;
#pragma omp parallel for schedule(dynamic)
    for (int64_t i = 0; i < b; ++i) {
      try {
        const SpeechClip& clip = clips[static_cast<size_t>(first + i)];
        const Audio audio = read_audio(clip.audio_path, AudioReadOptions{rate, AudioReadOptions{}.max_seconds});
        mels[static_cast<size_t>(i)] = stft.log_mel(audio.samples);
      } catch (...) {
#pragma omp critical(encode_clips_error)
        if (!error) error = std::current_exception();
      }
    }
    if (error) std::rethrow_exception(error);
    for (const codecs::Spectrogram& mel : mels) {
      if (codec.config().tokens_for(mel.frames) > max_ids) {
        out.emplace_back();
        continue;
      }
      const Tensor ids = codec.encode(codecs::spectrogram_to_tensor(mel));  // i32 (1, tokens)
      out.emplace_back(ids.data<int32_t>(), ids.data<int32_t>() + ids.numel());
    }
    done += b;
    bar.update(done);
  }
  return out;
}

}  // namespace tessera::data

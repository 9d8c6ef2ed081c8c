#include "eval/audio_codec_eval.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/progress.h"
#include "eval/audio_metrics.h"
#include "io/audio.h"
#include "viz/heatmap.h"

namespace tessera::eval {

namespace {

// The decoded log-mel of a clip's log-mel, trimmed to its frames.
codecs::Spectrogram reconstruct(const codecs::AudioCodec& codec, const codecs::Spectrogram& log_mel, Tensor* ids) {
  *ids = codec.encode(codecs::spectrogram_to_tensor(log_mel));
  return codecs::tensor_to_spectrogram(codec.decode(*ids, log_mel.frames));
}

// A (frames, bins) spectrogram as a heatmap of bins (rows) over frames (columns).
Image spectrogram_image(const codecs::Spectrogram& s, float lo, float hi, int64_t scale) {
  const Tensor t = codecs::spectrogram_to_tensor(s);
  return viz::heatmap(t.to_vector(), s.bins, s.frames, lo, hi, scale);
}

}  // namespace

AudioCodecReport evaluate_audio_codec(const codecs::AudioCodec& codec, const data::SpeechSet& set,
                                      const AudioCodecEvalOptions& options, std::FILE* progress) {
  const int64_t n = options.clips > 0 ? std::min(options.clips, set.size()) : set.size();
  TESSERA_CHECK(n > 0, "evaluate audio codec: the set has no clips");
  const codecs::AudioCodecConfig& c = codec.config();
  const codecs::MelSpectrogram& stft = codec.mel_spectrogram();
  if (!options.wav_dir.empty()) std::filesystem::create_directories(options.wav_dir);
  AudioCodecReport report;
  report.clips = n;
  std::vector<std::vector<int32_t>> stage_ids(static_cast<size_t>(c.stages));
  ProgressBar bar("evaluate audio codec", n, progress);
  for (int64_t i = 0; i < n; ++i) {
    const std::vector<float> samples = set.audio(i, c.mel.sample_rate).samples;
    const codecs::Spectrogram original = stft.log_mel(samples);
    Tensor ids;
    const codecs::Spectrogram decoded = reconstruct(codec, original, &ids);
    const codecs::Spectrogram magnitude = stft.mel_to_magnitude(decoded);
    const std::vector<float> wave = codecs::griffin_lim(stft, magnitude, options.griffin_lim);
    const codecs::Spectrogram original_magnitude = stft.mel_to_magnitude(original);
    const codecs::Spectrogram exact = stft.magnitude(samples);
    const std::vector<float> ceiling = codecs::griffin_lim(stft, original_magnitude, options.griffin_lim);
    report.seconds += static_cast<double>(samples.size()) / static_cast<double>(c.mel.sample_rate);
    report.tokens += ids.numel();
    report.log_mel_l1 += log_mel_l1(decoded, original);
    report.log_spectral_distance += log_spectral_distance(magnitude, exact);
    report.log_spectral_distance_ceiling += log_spectral_distance(original_magnitude, exact);
    report.si_snr += si_snr(wave, samples);
    report.si_snr_ceiling += si_snr(ceiling, samples);
    const int32_t* id = ids.data<int32_t>();
    for (int64_t k = 0; k < ids.numel(); ++k) {
      stage_ids[static_cast<size_t>(k % c.stages)].push_back(
          static_cast<int32_t>(id[k] - k % c.stages * c.codebook_size()));
    }
    if (!options.wav_dir.empty() && (options.wav_clips == 0 || i < options.wav_clips)) {
      const std::string name = std::filesystem::path(set.clip(i).audio_path).stem().string() + ".wav";
      write_audio((std::filesystem::path(options.wav_dir) / name).string(), Audio{wave, c.mel.sample_rate});
    }
    bar.update(i + 1);
  }
  bar.finish();
  const double clips = static_cast<double>(n);
  report.log_mel_l1 /= clips;
  report.log_spectral_distance /= clips;
  report.log_spectral_distance_ceiling /= clips;
  report.si_snr /= clips;
  report.si_snr_ceiling /= clips;
  for (const std::vector<int32_t>& ids : stage_ids) {
    report.stages.push_back(
        code_usage(Tensor::from_vector(ids, {static_cast<int64_t>(ids.size())}), c.codebook_size()));
  }
  return report;
}

Image spectrogram_comparison(const codecs::AudioCodec& codec, const data::SpeechSet& set, int64_t clips,
                             int64_t scale) {
  clips = std::min(clips, set.size());
  TESSERA_CHECK(clips > 0 && scale > 0, "spectrogram comparison: need at least one clip and a positive scale, found ",
                clips, " clips and scale ", scale);
  const codecs::MelSpectrogram& stft = codec.mel_spectrogram();
  std::vector<codecs::Spectrogram> originals, decoded;
  float hi = -INFINITY;
  for (int64_t i = 0; i < clips; ++i) {
    originals.push_back(stft.log_mel(set.audio(i, codec.config().mel.sample_rate).samples));
    Tensor ids;
    decoded.push_back(reconstruct(codec, originals.back(), &ids));
    hi = std::max(hi, *std::max_element(originals.back().values.begin(), originals.back().values.end()));
  }
  const float lo = std::log(1e-5f);  // the front end's floor
  std::vector<Image> images;
  std::vector<std::string> titles;
  for (int64_t i = 0; i < clips; ++i) {
    const data::SpeechClip& clip = set.clip(i);
    images.push_back(spectrogram_image(originals[static_cast<size_t>(i)], lo, hi, scale));
    titles.push_back("original (" + clip.voice + "): " + clip.text);
    images.push_back(spectrogram_image(decoded[static_cast<size_t>(i)], lo, hi, scale));
    titles.push_back("reconstruction");
  }
  return viz::stack_with_titles(images, titles);
}

}  // namespace tessera::eval

#include "codecs/audio/log_mels.h"

#include <exception>

#include "core/progress.h"

namespace tessera::codecs {

std::vector<Spectrogram> compute_log_mels(const MelSpectrogram& stft, int64_t count, const ClipReader& clip,
                                          const std::string& label, std::FILE* out) {
  std::vector<Spectrogram> mels(static_cast<size_t>(count));
  ProgressBar bar(label, count, out);
  std::exception_ptr error;
  int64_t done = 0;
#pragma omp parallel for schedule(dynamic)
  for (int64_t i = 0; i < count; ++i) {
    bool skip = false;
#pragma omp critical(log_mels_error)
    skip = error != nullptr;
    if (skip) continue;
    try {
      mels[static_cast<size_t>(i)] = stft.log_mel(clip(i));
    } catch (...) {
#pragma omp critical(log_mels_error)
      if (!error) error = std::current_exception();
    }
#pragma omp critical(log_mels_progress)
    bar.update(++done);
  }
  if (error) std::rethrow_exception(error);
  bar.finish();
  return mels;
}

}  // namespace tessera::codecs

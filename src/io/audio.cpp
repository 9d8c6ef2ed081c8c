#include "io/audio.h"

#include <fcntl.h>
#include <samplerate.h>
#include <sndfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/byte_preview.h"

namespace tessera {

namespace {

// The best sinc converter cost 12 (22.05 -> 16 kHz) to 21 ms (48 -> 16 kHz) per second of
// audio, the medium one 3 to 6 ms. The price, measured at 22.05 -> 16 kHz: the medium one
// is flat to 7 kHz, -2 dB at 7.2 kHz and -13 dB at 7.5 kHz (the best one: flat to 7.5 kHz),
// so the top three of 80 mel bands up to 8 kHz come out damped.
constexpr int kResampleQuality = SRC_SINC_MEDIUM_QUALITY;

// Closes a descriptor on every path out of read_audio.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

struct SndfileClose {
  void operator()(SNDFILE* file) const { sf_close(file); }
};
using SndfilePtr = std::unique_ptr<SNDFILE, SndfileClose>;

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f s", seconds);
  return text;
}

// The first bytes of an open file, for the message about a file that is not audio.
std::string head_of(int fd) {
  char head[8];
  const ssize_t n = ::pread(fd, head, sizeof head, 0);
  return first_bytes(std::string_view(head, n > 0 ? static_cast<size_t>(n) : 0));
}

// libsndfile writes through these callbacks into memory, so the file itself is written
// once, whole, by write_file_atomically (FLAC's encoder seeks back to patch its header).
struct MemoryFile {
  std::string bytes;
  sf_count_t position = 0;
};

sf_count_t memory_length(void* user) { return static_cast<sf_count_t>(static_cast<MemoryFile*>(user)->bytes.size()); }

sf_count_t memory_seek(sf_count_t offset, int whence, void* user) {
  auto* file = static_cast<MemoryFile*>(user);
  const sf_count_t base = whence == SEEK_SET   ? 0
                          : whence == SEEK_CUR ? file->position
                                               : static_cast<sf_count_t>(file->bytes.size());
  if (base + offset < 0) return -1;
  file->position = base + offset;
  return file->position;
}

sf_count_t memory_read(void* data, sf_count_t count, void* user) {
  auto* file = static_cast<MemoryFile*>(user);
  const auto size = static_cast<sf_count_t>(file->bytes.size());
  const sf_count_t n = std::clamp<sf_count_t>(size - file->position, 0, count);
  std::memcpy(data, file->bytes.data() + file->position, static_cast<size_t>(n));
  file->position += n;
  return n;
}

sf_count_t memory_write(const void* data, sf_count_t count, void* user) {
  auto* file = static_cast<MemoryFile*>(user);
  const auto end = static_cast<size_t>(file->position + count);
  if (end > file->bytes.size()) file->bytes.resize(end);
  std::memcpy(file->bytes.data() + file->position, data, static_cast<size_t>(count));
  file->position += count;
  return count;
}

sf_count_t memory_tell(void* user) { return static_cast<MemoryFile*>(user)->position; }

bool ends_with_flac(const std::string& path) {
  if (path.size() < 5) return false;
  std::string ext = path.substr(path.size() - 5);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".flac";
}

}  // namespace

Audio read_audio(const std::string& path, const AudioReadOptions& options) {
  TESSERA_CHECK(options.sample_rate > 0, "cannot read '", path, "': expected a positive sample rate, found ",
                options.sample_rate);
  std::string head;  // the first bytes, for the message about a file that is not audio
  {
    const Descriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    TESSERA_CHECK(file.get() >= 0, "cannot read '", path, "': ", std::strerror(errno));
    struct stat status;
    TESSERA_CHECK(::fstat(file.get(), &status) == 0, "cannot read '", path, "': ", std::strerror(errno));
    TESSERA_CHECK(!S_ISDIR(status.st_mode), "cannot read '", path, "': it is a directory, not an audio file");
    TESSERA_CHECK(status.st_size > 0, path, ": empty file: expected audio (WAV, FLAC, ...)");
    head = head_of(file.get());
  }
  // By path, not by the descriptor above: sf_open_fd closes a descriptor it fails on even
  // when told not to.
  SF_INFO info{};
  const SndfilePtr sound(sf_open(path.c_str(), SFM_READ, &info));
  if (sound == nullptr) {
    fail(path, ": not an audio file that libsndfile reads (libsndfile: ", sf_strerror(nullptr),
         "); the first bytes are ", head);
  }
  TESSERA_CHECK(info.samplerate > 0 && info.channels > 0, path, ": an audio header with ", info.channels,
                " channels at ", info.samplerate, " Hz: expected both positive");
  TESSERA_CHECK(info.frames > 0, path, ": empty audio: the file holds no samples");
  const double seconds = static_cast<double>(info.frames) / info.samplerate;
  TESSERA_CHECK(options.max_seconds <= 0 || seconds <= options.max_seconds, path, ": ", seconds_text(seconds),
                " of audio, longer than the limit of ", seconds_text(options.max_seconds));

  const auto channels = static_cast<size_t>(info.channels);
  std::vector<float> interleaved(static_cast<size_t>(info.frames) * channels);
  const sf_count_t got = sf_readf_float(sound.get(), interleaved.data(), info.frames);
  TESSERA_CHECK(got == info.frames, path, ": truncated or corrupt audio: the header announces ", info.frames,
                " frames, ", got, " could be read (libsndfile: ", sf_strerror(sound.get()), ")");

  Audio audio;
  audio.sample_rate = info.samplerate;
  audio.samples.resize(static_cast<size_t>(info.frames));
  const float scale = 1.0f / static_cast<float>(channels);
  for (size_t i = 0; i < audio.samples.size(); ++i) {
    float sum = 0;
    for (size_t c = 0; c < channels; ++c) sum += interleaved[i * channels + c];
    audio.samples[i] = sum * scale;
  }
  if (audio.sample_rate != options.sample_rate) {
    audio.samples = resample(audio.samples, audio.sample_rate, options.sample_rate);
    audio.sample_rate = options.sample_rate;
  }
  return audio;
}

std::string encode_audio(const Audio& audio, bool flac, const std::string& what) {
  TESSERA_CHECK(audio.sample_rate > 0, "cannot write ", what, ": expected a positive sample rate, found ",
                audio.sample_rate);
  TESSERA_CHECK(!audio.samples.empty(), "cannot write ", what, ": no samples");
  std::vector<float> clipped(audio.samples.size());
  for (size_t i = 0; i < clipped.size(); ++i) {
    const float x = audio.samples[i];
    TESSERA_CHECK(!std::isnan(x), "cannot write ", what, ": sample ", i, " is NaN");
    clipped[i] = std::clamp(x, -1.0f, 1.0f);
  }

  SF_INFO info{};
  info.samplerate = static_cast<int>(audio.sample_rate);
  info.channels = 1;
  info.format = (flac ? SF_FORMAT_FLAC : SF_FORMAT_WAV) | SF_FORMAT_PCM_16;
  TESSERA_CHECK(sf_format_check(&info), "cannot write ", what, ": libsndfile cannot write ", flac ? "FLAC" : "WAV",
                " at ", audio.sample_rate, " Hz");
  MemoryFile memory;
  SF_VIRTUAL_IO io{memory_length, memory_seek, memory_read, memory_write, memory_tell};
  {
    const SndfilePtr sound(sf_open_virtual(&io, SFM_WRITE, &info, &memory));
    TESSERA_CHECK(sound != nullptr, "cannot write ", what, ": libsndfile: ", sf_strerror(nullptr));
    const auto frames = static_cast<sf_count_t>(clipped.size());
    TESSERA_CHECK(sf_writef_float(sound.get(), clipped.data(), frames) == frames, "cannot write ", what,
                  ": libsndfile: ", sf_strerror(sound.get()));
  }  // closing finishes the header (and FLAC's stream info) in memory
  return std::move(memory.bytes);
}

void write_audio(const std::string& path, const Audio& audio) {
  write_file_atomically(path, encode_audio(audio, ends_with_flac(path), "'" + path + "'"));
}

std::vector<float> resample(const std::vector<float>& samples, int64_t from_rate, int64_t to_rate) {
  TESSERA_CHECK(from_rate > 0 && to_rate > 0, "resample: expected positive sample rates, found ", from_rate, " -> ",
                to_rate, " Hz");
  if (from_rate == to_rate || samples.empty()) return samples;
  const double ratio = static_cast<double>(to_rate) / static_cast<double>(from_rate);
  TESSERA_CHECK(src_is_valid_ratio(ratio), "resample: ", from_rate, " -> ", to_rate,
                " Hz is beyond libsamplerate's ratio limit of 256 either way");
  // The length a converter that kept time exactly would give; libsamplerate's may differ
  // by a sample, and callers count on S * to / from.
  const auto length = static_cast<size_t>((static_cast<int64_t>(samples.size()) * to_rate + from_rate / 2) / from_rate);
  std::vector<float> out(length + 16, 0.0f);
  SRC_DATA data{};
  data.data_in = samples.data();
  data.input_frames = static_cast<long>(samples.size());
  data.data_out = out.data();
  data.output_frames = static_cast<long>(out.size());
  data.src_ratio = ratio;
  data.end_of_input = 1;
  const int error = src_simple(&data, kResampleQuality, 1);
  TESSERA_CHECK(error == 0, "resample: ", from_rate, " -> ", to_rate, " Hz: libsamplerate: ", src_strerror(error));
  out.resize(length);
  return out;
}

}  // namespace tessera

#include "support/synthetic_speech.h"

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/rng.h"
#include "data/speech_set.h"
#include "io/atomic_file.h"
#include "io/audio.h"

namespace tessera::testing {

std::vector<float> gliding_tone(int64_t samples, int64_t rate, uint64_t seed) {
  Rng rng(seed);
  const double pi = std::acos(-1.0), start = 100 + 120 * rng.uniform(), end = 100 + 120 * rng.uniform();
  const double syllables = 1 + 3 * rng.uniform();
  std::vector<float> out(static_cast<size_t>(samples));
  double phase = 0;
  for (int64_t i = 0; i < samples; ++i) {
    const double t = static_cast<double>(i) / static_cast<double>(samples);
    phase += 2 * pi * (start + (end - start) * t) / static_cast<double>(rate);
    double v = 0;
    for (int h = 1; h <= 6; ++h) v += std::sin(h * phase) / h;
    const double envelope = std::pow(std::sin(pi * t * syllables), 2);
    out[static_cast<size_t>(i)] = static_cast<float>(0.25 * envelope * v);
  }
  return out;
}

void write_speech_set(const std::string& dir, const std::map<std::string, int64_t>& counts, uint64_t seed) {
  const std::filesystem::path root(dir);
  std::filesystem::create_directories(root / "wav");
  constexpr int64_t kRate = 22050;
  Rng rng(seed);
  nlohmann::json splits = nlohmann::json::object();
  for (const char* split : {"train", "valid", "test"}) {
    const auto it = counts.find(split);
    const int64_t count = it == counts.end() ? 0 : it->second;
    std::string lines;
    for (int64_t i = 0; i < count; ++i) {
      const std::string name = std::string("wav/") + split + "-" + std::to_string(i) + ".wav";
      const int64_t samples = static_cast<int64_t>((0.3 + 0.4 * rng.uniform()) * kRate);
      write_audio((root / name).string(), Audio{gliding_tone(samples, kRate, rng.next_u64()), kRate});
      const nlohmann::json line = {{"audio", name},
                                   {"text", "tone " + std::to_string(i)},
                                   {"voice", std::string(split) == "train" ? "en-us+m3" : "en-gb+f3"},
                                   {"speed", 160},
                                   {"pitch", 50}};
      lines += line.dump() + "\n";
    }
    write_file_atomically((root / (std::string(split) + ".jsonl")).string(), lines);
    splits[split] = count;
  }
  const nlohmann::json header = {
      {"format", data::kSpeechSetFormat}, {"version", 1}, {"sample_rate", kRate}, {"splits", splits},
      {"held_out_voices", {"en-gb+f3"}},  {"seed", seed}};
  write_file_atomically((root / "speech.json").string(), header.dump(2) + "\n");
}

}  // namespace tessera::testing

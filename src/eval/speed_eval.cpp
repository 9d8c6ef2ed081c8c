// Latency and throughput per task, at batch 1 (one user) and batched (N samples of one
// prompt decoded together, the server's case): time to first token, generated tokens per
// second (end to end, and decoding alone after the first token), images per second, and
// speech's real-time factor (seconds spent per second of speech). Each figure is the median
// of `speed_repeats` runs, after one warm-up run.
#include <algorithm>
#include <chrono>
#include <filesystem>

#include "data/image_set.h"
#include "data/speech_set.h"
#include "eval/eval_tasks.h"

namespace tessera::eval {

namespace {

namespace fs = std::filesystem;
using codecs::Modality;
using Clock = std::chrono::steady_clock;

struct Timing {
  double seconds = 0, first_token = 0;
  int64_t tokens = 0, images = 0;
  double audio_seconds = 0;
};

Timing time_once(const EvalRun& run, const model::GenerationRequest& request) {
  const auto start = Clock::now();
  double first = -1;
  model::StreamCallbacks stream;
  stream.on_token = [&](int64_t, int32_t) {
    if (first < 0) first = std::chrono::duration<double>(Clock::now() - start).count();
  };
  const model::Generation g = run.generator.generate(request, stream);
  Timing t;
  t.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  t.first_token = first;
  for (const model::Sample& s : g.samples) {
    t.tokens += static_cast<int64_t>(s.tokens.size());
    for (const model::OutputPart& p : s.parts) {
      t.images += p.modality == Modality::image;
      if (p.modality == Modality::audio) t.audio_seconds += p.audio.seconds();
    }
  }
  return t;
}

// The median run by total time, after a warm-up.
Timing time_median(const EvalRun& run, const model::GenerationRequest& request) {
  time_once(run, request);
  std::vector<Timing> runs;
  for (int64_t i = 0; i < std::max<int64_t>(1, run.options.speed_repeats); ++i) runs.push_back(time_once(run, request));
  std::sort(runs.begin(), runs.end(), [](const Timing& a, const Timing& b) { return a.seconds < b.seconds; });
  return runs[runs.size() / 2];
}

}  // namespace

void evaluate_speed(EvalRun& run) {
  struct Case {
    std::string task;
    model::GenerationRequest request;
  };
  std::vector<Case> cases;
  auto add = [&](const std::string& task, std::vector<model::PromptPart> prompt, model::OutputKind output,
                 float guidance) {
    model::GenerationRequest r;
    r.prompt = std::move(prompt);
    r.output = output;
    r.sampling = model::ModalitySampling::all({.temperature = 1.0f});
    r.guidance = guidance;
    r.seed = run.options.seed;
    r.max_tokens = 32;
    cases.push_back({task, r});
  };
  add("text", {model::PromptPart::of_text("a dress")}, model::OutputKind::text, 0);
  if (run.model.codecs.has(Modality::image) && fs::exists(data::image_set_path(run.options.fashion, "test"))) {
    const Image image = data::ImageSet::load(data::image_set_path(run.options.fashion, "test")).image(0);
    add("image -> text", {model::PromptPart::of_image(image)}, model::OutputKind::text, 0);
    add("text -> image", {model::PromptPart::of_text("ankle boot")}, model::OutputKind::image, run.options.guidance);
  }
  if (run.model.codecs.has(Modality::audio)) {
    add("text -> speech", {model::PromptPart::of_text("ankle boot")}, model::OutputKind::audio,
        run.options.speech_guidance);
    if (fs::exists(fs::path(run.options.speech) / "speech.json")) {
      const data::SpeechSet set = data::SpeechSet::load(run.options.speech, "test");
      const Audio clip = set.audio(0, kEngineSampleRate);
      add("speech -> text", {model::PromptPart::of_audio(clip)}, model::OutputKind::text, 0);
      cases.back().request.max_audio_seconds = std::max(cases.back().request.max_audio_seconds, clip.seconds() + 1);
    }
  }

  std::vector<std::vector<std::string>> rows;
  for (Case& c : cases) {
    for (const int64_t batch : {int64_t{1}, int64_t{8}}) {
      c.request.samples = batch;
      std::fprintf(run.log, "  %s, batch %lld\n", c.task.c_str(), static_cast<long long>(batch));
      const Timing t = time_median(run, c.request);
      nlohmann::json m = {{"batch", batch},
                          {"seconds", t.seconds},
                          {"time_to_first_token", t.first_token},
                          {"tokens", t.tokens},
                          {"tokens_per_second", static_cast<double>(t.tokens) / t.seconds}};
      // After the first token: the decoding rate alone, without the prompt's prefill.
      const double decoding = static_cast<double>(t.tokens - batch) / std::max(1e-9, t.seconds - t.first_token);
      m["decode_tokens_per_second"] = decoding;
      std::string output =
          decimal(static_cast<double>(t.tokens) / t.seconds, 0) + " tokens/s (decoding " + decimal(decoding, 0) + ")";
      if (t.images > 0) {
        m["images_per_second"] = static_cast<double>(t.images) / t.seconds;
        output += ", " + decimal(static_cast<double>(t.images) / t.seconds, 2) + " images/s";
      }
      if (t.audio_seconds > 0) {
        m["real_time_factor"] = t.seconds / t.audio_seconds;
        output += ", real-time factor " + decimal(t.seconds / t.audio_seconds, 3);
      }
      run.metrics["speed"][c.task].push_back(m);
      rows.push_back({c.task, std::to_string(batch), decimal(1000 * t.first_token, 1) + " ms",
                      decimal(1000 * t.seconds, 1) + " ms", output});
    }
  }
  run.report.heading("Speed");
  run.report.paragraph("Median of " + std::to_string(std::max<int64_t>(1, run.options.speed_repeats)) +
                       " runs after a warm-up, on this machine's threads. Batched: 8 samples of one prompt decoded "
                       "together (guidance adds a row per sample). Real-time factor: seconds spent per second of "
                       "speech (below 1 is faster than real time).");
  run.report.table({"task", "batch", "time to first token", "total", "throughput"}, rows);
}

}  // namespace tessera::eval

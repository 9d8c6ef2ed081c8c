#include "eval/model_eval.h"

#include <chrono>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/progress.h"
#include "eval/eval_tasks.h"
#include "io/atomic_file.h"

namespace tessera::eval {

namespace {

namespace fs = std::filesystem;

// The last training log line (step, tokens, time), when the model folder has log.jsonl.
nlohmann::json last_training_step(const std::string& dir) {
  std::ifstream in(fs::path(dir) / "log.jsonl");
  std::string line, last;
  while (std::getline(in, line)) {
    if (line.find("\"step\"") != std::string::npos && line.find("\"type\":\"eval\"") == std::string::npos) last = line;
  }
  if (last.empty()) return nullptr;
  try {
    return nlohmann::json::parse(last);
  } catch (const nlohmann::json::exception&) {
    return nullptr;  // a line cut by a crash: the card simply has no training summary
  }
}

void model_card(const model::LoadedModel& m, HtmlReport& report, nlohmann::json& metrics) {
  const model::TransformerConfig& t = m.config.transformer;
  const model::ParameterCounts n = model::count_parameters(t);
  report.heading("Model card");
  std::vector<std::vector<std::string>> rows = {
      {"folder", m.dir},
      {"parameters", format_count(static_cast<double>(n.total))},
      {"shape", std::to_string(t.n_layers) + " layers, dim " + std::to_string(t.dim) + ", " +
                    std::to_string(t.n_heads) + " heads, SwiGLU hidden " + std::to_string(t.hidden)},
      {"context", std::to_string(m.config.context_length) + " tokens"},
      {"vocabulary", std::to_string(m.config.vocabulary.total()) + " ids"}};
  for (const codecs::Codec* codec : m.codecs.all()) {
    rows.push_back({std::string(codecs::modality_name(codec->modality())) + " codec", codec->description()});
  }
  metrics["model"] = {{"dir", m.dir},
                      {"parameters", n.total},
                      {"layers", t.n_layers},
                      {"dim", t.dim},
                      {"context", m.config.context_length},
                      {"vocabulary", m.config.vocabulary.total()}};
  const nlohmann::json step = last_training_step(m.dir);
  if (step.is_object()) {
    std::string trained = "step " + step.value("step", nlohmann::json(0)).dump();
    if (step.contains("elapsed")) trained += ", " + format_duration(step["elapsed"].get<double>());
    rows.push_back({"trained", trained});
  }
  report.table({"", ""}, rows);
  report.paragraph(
      "Intended use: research on small native multimodal models (captioning, drawing and speaking the classes and "
      "emoji it saw, transcribing synthetic speech). It was trained on Fashion-MNIST, OpenMoji and espeak-ng speech "
      "only: expect nothing of photographs, natural voices or open-domain text.");
  for (const char* picture : {"loss.png", "modality_losses.png"}) {
    const fs::path path = fs::path(m.dir) / picture;
    if (fs::exists(path)) report.image(read_image(path.string()), std::string("training: ") + picture);
  }
  const fs::path recipe = fs::path(m.dir) / "recipe.json";
  if (fs::exists(recipe)) {
    report.heading("Recipe", 3);
    report.preformatted(read_file(recipe.string()));
  }
}

// One row per headline number, read back from the metrics the tasks wrote.
void summary(const nlohmann::json& metrics, HtmlReport& report) {
  struct Line {
    const char* task;
    const char* path;
    const char* what;
    bool percent;
  };
  const Line lines[] = {
      {"perplexity", "/perplexity/all/perplexity", "held-out perplexity, all tokens", false},
      {"image -> text", "/image_to_text/fashion/greedy_accuracy", "Fashion-MNIST caption accuracy (greedy)", true},
      {"image -> text", "/image_to_text/fashion/ranked_accuracy", "Fashion-MNIST accuracy, ranking 10 names", true},
      {"image -> text", "/image_to_text/emoji/top1", "emoji top-1 among the test captions", true},
      {"image -> text", "/image_to_text/emoji/top5", "emoji top-5", true},
      {"text -> image", "/text_to_image/headline/judge_accuracy", "drawings with the prompted class (judge)", true},
      {"text -> image", "/text_to_image/headline/frechet", "Fréchet distance to real test images", false},
      {"text -> image", "/text_to_image/codec_ceiling/judge_accuracy", "codec reconstructions: judge accuracy", true},
      {"speech -> text", "/speech_to_text/cer", "character error rate, held-out voices", true},
      {"speech -> text", "/speech_to_text/wer", "word error rate, held-out voices", true},
      {"text -> speech", "/text_to_speech/judge_cer_generated", "judge CER on generated speech", true},
      {"text -> speech", "/text_to_speech/judge_cer_real", "judge CER on the real clips", true},
      {"text -> speech", "/text_to_speech/cer_ratio", "generated / real judge CER", false},
  };
  std::vector<std::vector<std::string>> rows;
  for (const Line& l : lines) {
    const nlohmann::json::json_pointer pointer(l.path);
    if (!metrics.contains(pointer) || !metrics[pointer].is_number()) continue;
    const double v = metrics[pointer].get<double>();
    rows.push_back({l.task, l.what, l.percent ? percent(v) : decimal(v, 3)});
  }
  report.heading("Summary");
  if (metrics.contains("skipped")) {
    for (const auto& [task, reason] : metrics["skipped"].items()) {
      rows.push_back({task, "skipped", reason.get<std::string>()});
    }
  }
  report.table({"task", "measure", "value"}, rows);
}

}  // namespace

std::string sample_text(const model::Sample& sample) {
  std::string out;
  for (const model::OutputPart& part : sample.parts) {
    if (part.modality == codecs::Modality::text) out += part.text;
  }
  return out;
}

model::ModalitySampling greedy_sampling() {
  model::SamplingConfig greedy;
  greedy.temperature = 0;
  return model::ModalitySampling::all(greedy);
}

std::vector<int64_t> spread_indices(int64_t size, int64_t n) {
  n = std::min(n, size);
  std::vector<int64_t> out;
  for (int64_t i = 0; i < n; ++i) out.push_back(i * size / n);
  return out;
}

std::string decimal(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

std::string percent(double fraction) { return decimal(100 * fraction, 1) + "%"; }

void EvalRun::skip(const std::string& task, const std::string& reason) {
  metrics["skipped"][task] = reason;
  report.heading(task);
  report.paragraph("Skipped: " + reason);
  std::fprintf(log, "  skipped %s: %s\n", task.c_str(), reason.c_str());
}

void ModelEvalOptions::make_quick() {
  perplexity_batches = 4;
  fashion_images = 40;
  emoji_images = 10;
  draws_per_class = 4;
  sweep_draws_per_class = 2;
  guidance_scales = {0, guidance};
  real_images = 200;
  speech_clips = 10;
  speak_texts = 6;
  speed_repeats = 1;
}

std::string evaluate_model(const std::string& model_dir, const ModelEvalOptions& options, const std::string& out_dir,
                           std::FILE* log) {
  prepare_output_dir(out_dir, "--out");
  const model::LoadedModel model = model::load_model(model_dir);
  const model::Generator generator(model);
  nlohmann::json metrics = {{"format", "tessera-eval"}, {"version", 1}};
  HtmlReport report("Tessera evaluation: " + fs::path(model_dir).lexically_normal().filename().string());
  HtmlReport tasks("");
  EvalRun run{model, generator, options, metrics, tasks, log, out_dir};

  struct Task {
    const char* name;
    void (*run)(EvalRun&);
  };
  const Task all[] = {{"perplexity", evaluate_perplexity},  {"image -> text", evaluate_captions},
                      {"text -> image", evaluate_drawings}, {"speech -> text", evaluate_transcripts},
                      {"text -> speech", evaluate_speech},  {"speed", evaluate_speed}};
  const auto begin = std::chrono::steady_clock::now();
  for (const Task& task : all) {
    std::fprintf(log, "== %s\n", task.name);
    std::fflush(log);
    const auto start = std::chrono::steady_clock::now();
    task.run(run);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    metrics["seconds"][task.name] = seconds;
    std::fprintf(log, "   %s\n", format_duration(seconds).c_str());
  }
  metrics["seconds"]["all"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();

  model_card(model, report, metrics);
  summary(metrics, report);
  report.append(tasks);
  const std::string metrics_path = (fs::path(out_dir) / "metrics.json").string();
  write_file_atomically(metrics_path, metrics.dump(2) + "\n");
  write_file_atomically((fs::path(out_dir) / "report.html").string(), report.html());
  return metrics_path;
}

}  // namespace tessera::eval

#include "train/run_log.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "core/progress.h"
#include "io/atomic_file.h"
#include "io/image.h"
#include "viz/line_chart.h"

namespace tessera::train {

using nlohmann::json;

std::string format_metrics(const Metrics& metrics) {
  std::string out;
  for (const Metric& m : metrics) {
    std::string name = m.name;
    std::replace(name.begin(), name.end(), '_', ' ');
    char value[64];
    std::snprintf(value, sizeof value, m.format, m.value);
    out += (out.empty() ? "" : " | ") + name + " " + value;
  }
  return out;
}

std::string format_step_line(const StepRecord& r) {
  const std::string task = format_metrics(r.metrics);
  char line[512];
  std::snprintf(line, sizeof line, "step %lld/%lld | loss %.4f%s%s | lr %.2e | grad norm %.2f | %.0f ms | %s %s/s",
                static_cast<long long>(r.step), static_cast<long long>(r.steps), r.loss, task.empty() ? "" : " | ",
                task.c_str(), r.lr, r.grad_norm, r.ms, format_count(r.units_per_s).c_str(), r.unit.c_str());
  std::string out = line;
  if (r.mfu > 0) {
    std::snprintf(line, sizeof line, " | MFU %.1f%%", 100 * r.mfu);
    out += line;
  }
  return out + " | ETA " + format_duration(r.eta_s);
}

namespace {

// The log's lines that belong to steps up to `last_step`.
std::string records_up_to(const std::string& path, int64_t last_step) {
  std::istringstream in(read_file(path));
  std::string kept, line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const json record = json::parse(line, nullptr, false);
    if (record.is_object() && record.value("step", int64_t{0}) <= last_step) kept += line + "\n";
  }
  return kept;
}

}  // namespace

RunLog::RunLog(const std::string& path, int64_t resumed_step) : path_(path) {
  if (resumed_step >= 0 && std::filesystem::exists(path)) {
    write_file_atomically(path, records_up_to(path, resumed_step));
    out_.open(path, std::ios::app);
  } else {
    out_.open(path, std::ios::trunc);
  }
  TESSERA_CHECK(out_.good(), path, ": cannot open the run log for writing");
}

void RunLog::write(const std::string& line) {
  out_ << line << '\n';
  out_.flush();
  TESSERA_CHECK(out_.good(), path_, ": cannot write the run log (disk full?)");
}

void RunLog::step(const StepRecord& r) {
  json record = {{"type", "step"}, {"step", r.step}, {"loss", r.loss}};
  for (const Metric& m : r.metrics) record[m.name] = m.value;
  record["lr"] = r.lr;
  record["grad_norm"] = r.grad_norm;
  record["ms"] = r.ms;
  record[r.unit + "_per_s"] = r.units_per_s;
  if (r.mfu > 0) record["mfu"] = r.mfu;
  record["eta_s"] = r.eta_s;
  write(record.dump());
}

void RunLog::eval(int64_t step, const Metrics& metrics) {
  json record = {{"type", "eval"}, {"step", step}};
  for (const Metric& m : metrics) record[m.name] = m.value;
  write(record.dump());
}

LossHistory read_loss_history(const std::string& path) {
  std::istringstream in(read_file(path));
  LossHistory history;
  std::string line;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    const json r = json::parse(line, nullptr, false);
    const bool step = r.is_object() && r.value("type", "") == "step" && r.contains("loss") && r["loss"].is_number();
    const bool eval = r.is_object() && r.value("type", "") == "eval";
    TESSERA_CHECK((step || eval) && r.contains("step") && r["step"].is_number_integer(), path, ": line ", number,
                  ": expected a step or eval record, found ", line);
    const double x = static_cast<double>(r["step"].get<int64_t>());
    if (step) history.train.emplace_back(x, r["loss"].get<double>());
    if (eval && r.contains("valid_loss") && r["valid_loss"].is_number()) {
      history.valid.emplace_back(x, r["valid_loss"].get<double>());
    }
  }
  return history;
}

void write_loss_chart(const std::string& png_path, const LossHistory& history) {
  std::vector<viz::Series> series;
  if (!history.train.empty()) series.push_back({"train", history.train, {31, 119, 180}});
  if (!history.valid.empty()) series.push_back({"valid", history.valid, {214, 39, 40}, true});
  double lo = INFINITY, hi = 0;
  for (const viz::Series& s : series) {
    for (const auto& [x, y] : s.points) {
      lo = std::min(lo, y);
      hi = std::max(hi, y);
    }
  }
  viz::ChartOptions options;
  options.title = "loss";
  options.x_label = "step";
  options.y_label = "loss (nats)";
  options.log_y = lo > 0 && hi / lo >= 10;
  write_png(png_path, viz::draw_line_chart(series, options));
}

}  // namespace tessera::train

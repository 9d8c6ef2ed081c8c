#pragma once
// The tasks of `tessera eval` (model_eval.h), one file each. Each adds its numbers to
// run.metrics under its own key and its section to run.report, or records why it was
// skipped.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "eval/html_report.h"
#include "eval/model_eval.h"
#include "model/generator.h"
#include "model/model_dir.h"

namespace tessera::eval {

struct EvalRun {
  const model::LoadedModel& model;
  const model::Generator& generator;
  const ModelEvalOptions& options;
  nlohmann::json& metrics;
  HtmlReport& report;
  std::FILE* log;
  std::string out_dir;  // where pictures worth keeping on their own are written beside the report

  // Records that `task` did not run and why, in the metrics and the report.
  void skip(const std::string& task, const std::string& reason);
};

void evaluate_perplexity(EvalRun& run);   // perplexity_eval.cpp
void evaluate_captions(EvalRun& run);     // caption_eval.cpp
void evaluate_drawings(EvalRun& run);     // draw_eval.cpp
void evaluate_transcripts(EvalRun& run);  // speech_eval.cpp: speech -> text
void evaluate_speech(EvalRun& run);       // speech_eval.cpp: text -> speech
void evaluate_speed(EvalRun& run);        // speed_eval.cpp

// The text of a sample's text parts, joined.
std::string sample_text(const model::Sample& sample);
// Greedy sampling everywhere (temperature 0).
model::ModalitySampling greedy_sampling();
// n indices spread evenly over [0, size): the same images every run, across the whole split.
std::vector<int64_t> spread_indices(int64_t size, int64_t n);
// 0.853 -> "85.3%"; decimal(2.71828, 3) -> "2.718".
std::string percent(double fraction);
std::string decimal(double value, int digits);

}  // namespace tessera::eval

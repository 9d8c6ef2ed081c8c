#pragma once
// What a run reports: one line per logged step on stdout, the means over the steps since the
// last line, with the task's own numbers after the loss,
//
//   step 120/2000 | loss 3.4521 | lr 2.95e-03 | grad norm 0.81 | 152 ms | 13.4k tokens/s | MFU 21.3% | ETA 4m12s
//   step 300/9000 | loss 0.0412 | psnr 24.31 dB | codes used 93.1% | lr 1.98e-03 | ... | 310 images/s | ETA 17m02s
//
// and the same fields as one JSON object per line in OUT/log.jsonl, with the evaluations:
//
//   {"type": "step", "step": 120, "loss": 3.4521, "lr": 0.00295, "grad_norm": 0.81,
//    "ms": 152.0, "tokens_per_s": 13400.0, "mfu": 0.213, "eta_s": 252.0}
//   {"type": "eval", "step": 200, "valid_loss": 3.51}
//
// (MFU only where the task counts its FLOPs; "<unit>_per_s" in the task's unit.)
//
// and at the end OUT/loss.png, train and valid loss against step, drawn from log.jsonl so a
// resumed run's chart covers the whole run.
#include <cstdint>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "train/task.h"

namespace tessera::train {

struct StepRecord {
  int64_t step = 0, steps = 0;  // steps completed, and planned for the whole run
  double loss = 0, lr = 0, grad_norm = 0;
  Metrics metrics;         // the task's
  double ms = 0;           // mean wall time per step
  std::string unit;        // what the throughput counts ("tokens")
  double units_per_s = 0;  // throughput
  double mfu = 0;          // achieved FLOP/s / measured GEMM peak, a fraction; 0: not counted
  double eta_s = 0;        // the remaining steps at this session's mean step time
};

std::string format_step_line(const StepRecord& r);
// "valid loss 3.5100 | psnr 22.10 dB": metrics for a log line, each name's underscores as spaces.
std::string format_metrics(const Metrics& metrics);

// Appends to OUT/log.jsonl, a line at a time and flushed, so a crash loses nothing logged.
class RunLog {
 public:
  // A fresh run truncates the file; a resumed one (resumed_step >= 0) first drops the
  // records after the checkpoint's step (steps that ran after it before a crash, which
  // the resumed run will log again), then appends.
  RunLog(const std::string& path, int64_t resumed_step);

  void step(const StepRecord& r);
  void eval(int64_t step, const Metrics& metrics);

 private:
  void write(const std::string& line);
  std::string path_;
  std::ofstream out_;
};

struct LossHistory {
  std::vector<std::pair<double, double>> train, valid;  // (step, loss)
};

// Reads a log.jsonl back; a malformed line is an error naming the file and line.
LossHistory read_loss_history(const std::string& path);
// Draws train and valid loss against step into a PNG (log-y when the loss spans a decade).
void write_loss_chart(const std::string& png_path, const LossHistory& history);

}  // namespace tessera::train

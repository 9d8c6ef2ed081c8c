#pragma once
// What a run reports: one line per logged step on stdout,
//
//   step 120/2000 | loss 3.4521 | lr 2.95e-03 | grad norm 0.81 | 152 ms | 13.4k tok/s | MFU 21.3% | ETA 4m12s
//
// and the same fields as one JSON object per line in OUT/log.jsonl, with the evaluations:
//
//   {"type": "step", "step": 120, "loss": 3.4521, "lr": 0.00295, "grad_norm": 0.81,
//    "ms": 152.0, "tokens_per_s": 13400.0, "mfu": 0.213, "eta_s": 252.0}
//   {"type": "eval", "step": 200, "valid_loss": 3.51}
//
// and at the end OUT/loss.png, train and valid loss against step, drawn from log.jsonl so a
// resumed run's chart covers the whole run.
#include <cstdint>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace tessera::train {

struct StepRecord {
  int64_t step = 0, steps = 0;  // steps completed, and of the whole run
  float loss = 0, lr = 0, grad_norm = 0;
  double ms = 0;            // this step's wall time
  double tokens_per_s = 0;  // this step's throughput
  double mfu = 0;           // achieved FLOP/s / measured GEMM peak, a fraction
  double eta_s = 0;         // the remaining steps at this session's mean step time
};

std::string format_step_line(const StepRecord& r);

// Appends to OUT/log.jsonl, a line at a time and flushed, so a crash loses nothing logged.
class RunLog {
 public:
  // A fresh run truncates the file; a resumed one (resumed_step >= 0) first drops the
  // records after the checkpoint's step (steps that ran after it before a crash, which
  // the resumed run will log again), then appends.
  RunLog(const std::string& path, int64_t resumed_step);

  void step(const StepRecord& r);
  void eval(int64_t step, double valid_loss);

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

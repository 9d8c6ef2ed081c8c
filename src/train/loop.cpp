#include "train/loop.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>

#include "autograd/engine.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "core/progress.h"
#include "core/threads.h"
#include "io/atomic_file.h"
#include "kernels/cpu/gemm.h"
#include "optim/schedule.h"
#include "train/checkpoint.h"
#include "train/data_parallel.h"
#include "train/run_log.h"
#include "train/step.h"

namespace tessera::train {

namespace fs = std::filesystem;

namespace {

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string in_out(const LoopOptions& o, const char* name) { return (fs::path(o.out_dir) / name).string(); }

// One session of a run: everything the loop holds, built in the order a resumed run must
// restore it (the task's module before the optimizer that holds its parameters).
class Session {
 public:
  Session(const LoopConfig& config, Task& task, const LoopOptions& options)
      : c_(config),
        o_(c_.optimization),
        task_(task),
        options_(options),
        clock_(options.clock ? options.clock : steady_seconds),
        collective_(options.collective ? *options.collective : single_process_) {
    const int ranks = collective_.size();
    TESSERA_CHECK(o_.micro_batch_size() % ranks == 0, "data parallel: a micro-batch of ", o_.micro_batch_size(),
                  " rows (optimization.batch_size / micro_batches) does not split evenly over ", ranks, " ranks");
    if (writes()) prepare_output(options_);
    collective_.barrier();  // the others read OUT only once rank 0 has recovered any checkpoint in it
    if (options_.resume) {
      state_ = read_trainer_state(options_.out_dir);
      task_.load(checkpoint_dir(options_.out_dir));
    }
    optimizer_ = std::make_unique<optim::AdamW>(
        task_.module().named_parameters(),
        optim::AdamWConfig{static_cast<float>(o_.beta1), static_cast<float>(o_.beta2), static_cast<float>(o_.eps),
                           static_cast<float>(o_.weight_decay)});
    if (options_.resume) restore();
    parallel_ = std::make_unique<DataParallel>(collective_, task_.module(), *optimizer_, options_.shard_optimizer);
    task_.shard(parallel_->shard());
    if (writes()) write_file_atomically(in_out(options_, "recipe.json"), options_.recipe.dump(2) + "\n");
  }

  LoopResult run() {
    print_header();
    std::optional<RunLog> log;
    if (writes()) log.emplace(in_out(options_, "log.jsonl"), options_.resume ? state_.step : -1);
    const int64_t start = state_.step;
    InterruptGuard interrupt;
    ProgressBar bar("train", std::max<int64_t>(0, end() - start), options_.out);
    session_start_ = clock_();
    while (state_.step < end()) {
      const double step_start = clock_();
      const double loss = step();
      window_.loss += loss;
      ++window_.steps;
      window_.seconds += clock_() - step_start;
      const DataParallel::Agreement agreed =
          parallel_->agree(elapsed_before_ + clock_() - session_start_, interrupt.requested());
      state_.elapsed_s = agreed.elapsed_s;
      planned_ = plan();
      const int64_t step = state_.step;
      if (step % c_.log_every == 0 || step == start + 1 || step == end()) log_line(log, bar);
      char loss_text[32];
      std::snprintf(loss_text, sizeof loss_text, "loss %.4f", loss);
      bar.set_total(std::max<int64_t>(0, end() - start));
      bar.update(step - start, loss_text);
      if (c_.eval_every > 0 && step % c_.eval_every == 0) evaluate(log, bar);
      if (c_.checkpoint_every > 0 && step % c_.checkpoint_every == 0) checkpoint();
      if (agreed.interrupted) return finish(Outcome::interrupted, log, bar);
    }
    return finish(state_.step >= planned_ ? Outcome::finished : Outcome::stopped, log, bar);
  }

 private:
  void restore() {
    load_optimizer_state(options_.out_dir, *optimizer_);
    const std::string source = (fs::path(checkpoint_dir(options_.out_dir)) / "trainer.json").string();
    read_fields(config_source(state_.task, source, "task"), [&](Fields& f) { task_.state_fields(f); });
    elapsed_before_ = state_.elapsed_s;
    last_checkpoint_step_ = state_.step;
    if (state_.recipe_fingerprint != fingerprint(options_.recipe)) {
      log_warn(
          "the recipe differs from the one the checkpoint was trained with (steps, lr, data, ...); "
          "continuing with this one");
    }
    if (state_.threads != num_threads()) {
      log_warn("the checkpoint was trained on ", state_.threads, " threads, this run uses ", num_threads(),
               ": the continuation is not bit-identical to an uninterrupted run");
    }
    planned_ = plan();
  }

  // The steps the schedule runs to: optimization.steps, or with a time budget as many as
  // the budget holds at the mean pace so far.
  int64_t plan() const { return optim::steps_within_budget(state_.step, state_.elapsed_s, o_.minutes * 60, o_.steps); }
  int64_t end() const { return options_.stop_at > 0 ? std::min(options_.stop_at, planned_) : planned_; }

  // One optimizer step at the scheduled rate; returns its loss, the mean over the micro-batches.
  // A step that fails (a non-finite loss or gradient, or an error inside the task's forward
  // pass, such as an overflow reaching a quantizer) says which step, and that the last
  // checkpoint is still good: nothing is written until a step has finished.
  double step() {
    const optim::CosineSchedule schedule{static_cast<float>(o_.lr), static_cast<float>(o_.min_lr), o_.warmup,
                                         std::max(planned_, o_.warmup)};
    const float lr = schedule.at(state_.step);
    const auto guard = [](double value, const char* what) {
      if (!std::isfinite(value)) {
        fail(what, " is ", std::isnan(value) ? "nan" : value > 0 ? "inf" : "-inf", "; training diverged");
      }
    };
    StepResult r;
    try {
      r = optimizer_step(
          task_.module(), *optimizer_, [&] { return task_.next_loss(); }, o_.micro_batches, lr,
          static_cast<float>(o_.clip), guard, parallel_.get());
    } catch (const Error& e) {
      const std::string kept =
          last_checkpoint_step_ >= 0
              ? str("the last good checkpoint (step ", last_checkpoint_step_, ") is intact in ",
                    checkpoint_dir(options_.out_dir),
                    ": lower optimization.lr or raise optimization.warmup, then "
                    "continue it with --resume")
              : std::string("no checkpoint was written yet: lower optimization.lr or raise optimization.warmup");
      fail("step ", state_.step + 1, ": ", e.what(), "; ", kept);
    }
    ++state_.step;
    window_.lr = lr;
    window_.grad_norm += r.grad_norm;
    return r.loss;
  }

  bool writes() const { return collective_.rank() == 0; }

  void log_line(std::optional<RunLog>& log, ProgressBar& bar) {
    StepRecord r;
    r.step = state_.step;
    r.steps = planned_;
    const double n = static_cast<double>(window_.steps);
    r.loss = window_.loss / n;
    r.metrics = task_.window_metrics();
    if (!parallel_->single()) {
      const double communication = parallel_->take_communication_seconds();
      r.metrics.push_back({"communication", 100 * communication / window_.seconds, "%.1f%%"});
    }
    r.lr = window_.lr;
    r.grad_norm = window_.grad_norm / n;
    r.ms = window_.seconds / n * 1e3;
    r.unit = task_.unit();
    r.units_per_s = static_cast<double>(task_.units_per_step()) * n / window_.seconds;
    // A step's FLOPs are the whole batch's, done by every rank together on its own cores.
    const double job_peak = peak_flops_ * collective_.size();
    r.mfu = flops_per_step_ > 0 ? flops_per_step_ * n / window_.seconds / job_peak : 0;
    const double session_steps = static_cast<double>(state_.step - session_first_step_);
    r.eta_s = (clock_() - session_start_) / session_steps * static_cast<double>(planned_ - state_.step);
    bar.print_line(format_step_line(r));
    if (log) log->step(r);
    if (result_.first_loss == 0) result_.first_loss = r.loss;
    result_.last_loss = r.loss;
    window_ = {};
  }

  void print_header() {
    flops_per_step_ = task_.flops_per_step();
    if (flops_per_step_ > 0)
      peak_flops_ = options_.peak_flops > 0 ? options_.peak_flops : kernels::cpu::measure_gemm_peak();
    std::FILE* out = options_.out;
    std::fprintf(out, "%s", task_.describe().c_str());
    std::fprintf(out, "optimization: %lld steps", static_cast<long long>(o_.steps));
    if (o_.minutes > 0) std::fprintf(out, " or %s, whichever ends first", format_duration(o_.minutes * 60).c_str());
    std::fprintf(out, ", batch %lld (%lld micro-batch%s), AdamW lr %.2e -> %.2e, warmup %lld, clip %g\n",
                 static_cast<long long>(o_.batch_size), static_cast<long long>(o_.micro_batches),
                 o_.micro_batches == 1 ? "" : "es", o_.lr, o_.min_lr, static_cast<long long>(o_.warmup), o_.clip);
    if (flops_per_step_ > 0) {
      std::fprintf(out, "GEMM peak: %.1f GFLOP/s (%s, %d thread%s%s)\n", peak_flops_ / 1e9,
                   options_.peak_flops > 0 ? "given" : "measured", num_threads(), num_threads() == 1 ? "" : "s",
                   parallel_->single() ? "" : " per rank; MFU counts every rank's");
    }
    if (!parallel_->single()) {
      std::fprintf(out, "data parallel: %s; each takes %lld of a micro-batch's %lld rows\n",
                   collective_.describe().c_str(), static_cast<long long>(o_.micro_batch_size() / collective_.size()),
                   static_cast<long long>(o_.micro_batch_size()));
    }
    if (options_.shard_optimizer) {
      std::fprintf(out, "ZeRO-1: this rank keeps %s of AdamW moments, of %s in all\n",
                   (format_count(static_cast<double>(parallel_->moment_bytes_kept())) + "B").c_str(),
                   (format_count(static_cast<double>(parallel_->moment_bytes_whole())) + "B").c_str());
    }
    if (options_.resume) {
      std::fprintf(out, "resuming at step %lld of %lld\n", static_cast<long long>(state_.step),
                   static_cast<long long>(planned_));
    }
    std::fflush(out);
    session_first_step_ = state_.step;
  }

  void evaluate(std::optional<RunLog>& log, ProgressBar& bar) {
    autograd::NoGradGuard no_grad;
    result_.eval = task_.evaluate();
    last_eval_step_ = state_.step;
    if (result_.eval.empty()) return;  // nothing held out
    std::string line = str("eval step ", state_.step);
    for (const Metric& m : result_.eval) {
      if (m.name != "valid_loss") continue;
      if (!state_.best_valid_loss || m.value < *state_.best_valid_loss) state_.best_valid_loss = m.value;
    }
    line += " | " + format_metrics(result_.eval);
    if (state_.best_valid_loss) {
      char best[48];
      std::snprintf(best, sizeof best, " | best %.4f", *state_.best_valid_loss);
      line += best;
    }
    bar.print_line(line);
    if (log) log->eval(state_.step, result_.eval);
  }

  void checkpoint() {
    state_.recipe_fingerprint = fingerprint(options_.recipe);
    state_.threads = num_threads();
    state_.task = write_fields([&](Fields& f) { task_.state_fields(f); });
    const nn::NamedTensors optimizer_state = parallel_->optimizer_state();
    parallel_->check_in_step(state_.step);
    if (writes()) save_checkpoint(options_.out_dir, task_, optimizer_state, state_);
    last_checkpoint_step_ = state_.step;
  }

  LoopResult finish(Outcome outcome, std::optional<RunLog>& log, ProgressBar& bar) {
    if (outcome == Outcome::finished && last_eval_step_ != state_.step) evaluate(log, bar);
    if (last_checkpoint_step_ != state_.step) checkpoint();
    bar.finish();
    std::FILE* out = options_.out;
    if (outcome == Outcome::finished) {
      if (task_.finish(out)) evaluate(log, bar);
      if (writes()) task_.save(options_.out_dir);
      const std::string metrics = result_.eval.empty() ? "" : "; " + format_metrics(result_.eval);
      std::fprintf(out, "done: %lld steps, %s this session%s; written to %s\n", static_cast<long long>(state_.step),
                   format_duration(clock_() - session_start_).c_str(), metrics.c_str(), options_.out_dir.c_str());
    } else {
      std::fprintf(out, "%s after step %lld of %lld: checkpoint saved in %s\n",
                   outcome == Outcome::interrupted ? "interrupted" : "stopped", static_cast<long long>(state_.step),
                   static_cast<long long>(planned_), checkpoint_dir(options_.out_dir).c_str());
    }
    if (writes()) {
      const LossHistory history = read_loss_history(in_out(options_, "log.jsonl"));
      if (!history.train.empty() || !history.valid.empty()) write_loss_chart(in_out(options_, "loss.png"), history);
    }
    std::fflush(out);
    result_.outcome = outcome;
    result_.step = state_.step;
    result_.planned = planned_;
    return result_;
  }

  struct Window {  // the steps since the last log line
    double loss = 0, grad_norm = 0, seconds = 0, lr = 0;
    int64_t steps = 0;
  };

  const LoopConfig& c_;
  const OptimizationConfig& o_;
  Task& task_;
  const LoopOptions& options_;
  std::function<double()> clock_;
  SingleProcess single_process_;
  Collective& collective_;
  std::unique_ptr<optim::AdamW> optimizer_;
  std::unique_ptr<DataParallel> parallel_;
  TrainerState state_;
  int64_t planned_ = o_.steps;
  double elapsed_before_ = 0, session_start_ = 0;
  int64_t session_first_step_ = 0, last_eval_step_ = -1, last_checkpoint_step_ = -1;
  double peak_flops_ = 0, flops_per_step_ = 0;
  Window window_;
  LoopResult result_;
};

}  // namespace

void prepare_output(const LoopOptions& options) {
  prepare_output_dir(options.out_dir, "--out");
  const bool has_checkpoint = recover_checkpoint(options.out_dir);
  TESSERA_CHECK(options.resume || !has_checkpoint, checkpoint_dir(options.out_dir),
                ": a checkpoint is already here: pass --resume to continue that run, or choose another --out");
  TESSERA_CHECK(!options.resume || has_checkpoint, checkpoint_dir(options.out_dir),
                ": no checkpoint to resume from (train without --resume first)");
}

LoopResult run_loop(const LoopConfig& config, Task& task, const LoopOptions& options) {
  return Session(config, task, options).run();
}

}  // namespace tessera::train

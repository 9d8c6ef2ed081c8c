#include "train/trainer.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>

#include "autograd/cross_entropy.h"
#include "autograd/engine.h"
#include "codecs/text_codec.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "core/progress.h"
#include "core/threads.h"
#include "io/atomic_file.h"
#include "kernels/cpu/gemm.h"
#include "model/model_dir.h"
#include "optim/schedule.h"
#include "train/checkpoint.h"
#include "train/flops.h"
#include "train/run_log.h"
#include "train/train_step.h"

namespace tessera::train {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

namespace {

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

const TrainConfig& validated(const TrainConfig& config) {
  config.validate();
  return config;
}

// Everything one run holds, built in the order a resumed run must restore it.
class Trainer {
 public:
  explicit Trainer(const TrainerOptions& options)
      : o_(options),
        c_(validated(options.config)),
        codec_(codecs::TextCodec::load(options.text_codec)),
        model_config_(c_.model_config(codec_)),
        init_rng_(c_.seed),
        model_(model_config_.transformer, init_rng_),
        optimizer_(model_.named_parameters(), {c_.beta1, c_.beta2, 1e-8f, c_.weight_decay}),
        schedule_{c_.lr, c_.min_lr, c_.warmup, c_.steps},
        train_stream_(c_.train_shards, model_config_.transformer.vocab_size, c_.micro_batch_size(),
                      c_.context_length, c_.sampling, c_.seed + 1) {
    data::TokenBatches valid(c_.valid_shards, model_config_.transformer.vocab_size, c_.micro_batch_size(),
                             c_.context_length, data::Sampling::sequential, 0);
    for (int64_t i = 0; i < c_.eval_batches; ++i) valid_batches_.push_back(valid.next());
    fs::create_directories(o_.out_dir);
    const bool has_checkpoint = recover_checkpoint(o_.out_dir);
    TESSERA_CHECK(o_.resume || !has_checkpoint, checkpoint_dir(o_.out_dir),
                  ": a checkpoint is already here: pass --resume to continue that run, or choose another --out");
    if (o_.resume) restore();
    write_file_atomically((fs::path(o_.out_dir) / "recipe.json").string(), c_.to_json().dump(2) + "\n");
  }

  TrainResult run() {
    print_header();
    RunLog log((fs::path(o_.out_dir) / "log.jsonl").string(), o_.resume ? step_ : -1);
    const int64_t start = step_;
    const int64_t end = o_.stop_at > 0 ? std::min(o_.stop_at, c_.steps) : c_.steps;
    InterruptGuard interrupt;
    ProgressBar bar("train", std::max<int64_t>(0, end - start), o_.out);
    const auto session_start = clock_type::now();
    double step_seconds = 0;
    while (step_ < end) {
      const auto step_start = clock_type::now();
      std::vector<data::Batch> micro;
      for (int64_t m = 0; m < c_.micro_batches; ++m) micro.push_back(train_stream_.next());
      const StepResult r = train_step(model_, optimizer_, micro, {schedule_.at(step_), c_.clip, c_.z_loss});
      ++step_;
      TESSERA_CHECK(std::isfinite(r.loss), "step ", step_, ": the loss is ", r.loss,
                    "; training diverged (the last checkpoint is intact): lower optimization.lr or raise "
                    "optimization.warmup, then resume");
      const double seconds = seconds_since(step_start);
      step_seconds += seconds;
      if (step_ % c_.log_every == 0 || step_ == start + 1 || step_ == end) {
        StepRecord record{step_, c_.steps, r.loss, r.lr, r.grad_norm, seconds * 1e3};
        record.tokens_per_s = static_cast<double>(c_.tokens_per_step()) / seconds;
        record.mfu = record.tokens_per_s * flops_per_token_ / peak_flops_;
        record.eta_s = step_seconds / static_cast<double>(step_ - start) * static_cast<double>(c_.steps - step_);
        bar.print_line(format_step_line(record));
        log.step(record);
      }
      char loss_text[32];
      std::snprintf(loss_text, sizeof loss_text, "loss %.4f", r.loss);
      bar.update(step_ - start, loss_text);
      if (c_.eval_every > 0 && step_ % c_.eval_every == 0) evaluate(log, bar);
      if (c_.checkpoint_every > 0 && step_ % c_.checkpoint_every == 0) checkpoint();
      if (interrupt.requested()) return finish(TrainOutcome::interrupted, log, bar, session_start);
    }
    return finish(step_ >= c_.steps ? TrainOutcome::finished : TrainOutcome::stopped, log, bar, session_start);
  }

 private:
  void restore() {
    const TrainerState state = load_checkpoint(o_.out_dir, model_config_, model_, optimizer_);
    const std::string source = (fs::path(checkpoint_dir(o_.out_dir)) / "trainer.json").string();
    train_stream_.set_state(state.data, source);
    step_ = state.step;
    best_valid_loss_ = state.best_valid_loss;
    if (state.config_fingerprint != fingerprint(c_.to_json())) {
      log_warn("the recipe differs from the one the checkpoint was trained with (steps, lr, data, ...); "
               "continuing with this one");
    }
    if (state.threads != num_threads()) {
      log_warn("the checkpoint was trained on ", state.threads, " threads, this run uses ", num_threads(),
               ": the continuation is not bit-identical to an uninterrupted run");
    }
  }

  void print_header() {
    peak_flops_ = o_.peak_flops > 0 ? o_.peak_flops : kernels::cpu::measure_gemm_peak();
    flops_per_token_ = flops_per_token(model_, c_.context_length);
    const model::TransformerConfig& t = model_config_.transformer;
    std::fprintf(o_.out, "model: %s parameters (%s in matmuls), %lld layers, dim %lld, context %lld, vocabulary %lld\n",
                 format_count(static_cast<double>(model_.num_parameters())).c_str(),
                 format_count(static_cast<double>(matmul_parameters(model_))).c_str(),
                 static_cast<long long>(t.n_layers), static_cast<long long>(t.dim),
                 static_cast<long long>(c_.context_length), static_cast<long long>(t.vocab_size));
    std::fprintf(o_.out, "tokens per step: %lld (batch %lld x context %lld, %lld micro-batch%s)\n",
                 static_cast<long long>(c_.tokens_per_step()), static_cast<long long>(c_.batch_size),
                 static_cast<long long>(c_.context_length), static_cast<long long>(c_.micro_batches),
                 c_.micro_batches == 1 ? "" : "es");
    std::fprintf(o_.out, "FLOPs per token: %s (6 x matmul parameters + 6 x layers x context x dim)\n",
                 format_count(flops_per_token_).c_str());
    std::fprintf(o_.out, "GEMM peak: %.1f GFLOP/s (%s, %d thread%s)\n", peak_flops_ / 1e9,
                 o_.peak_flops > 0 ? "given" : "measured", num_threads(), num_threads() == 1 ? "" : "s");
    if (o_.resume) std::fprintf(o_.out, "resuming at step %lld of %lld\n", static_cast<long long>(step_),
                                static_cast<long long>(c_.steps));
    std::fflush(o_.out);
  }

  // The mean loss over the fixed held-out batches (cross-entropy alone, no z-loss term).
  void evaluate(RunLog& log, ProgressBar& bar) {
    autograd::NoGradGuard no_grad;
    double total = 0;
    for (const data::Batch& batch : valid_batches_) total += cross_entropy(model_.forward(batch.ids), batch.targets).item();
    valid_loss_ = total / static_cast<double>(valid_batches_.size());
    if (!best_valid_loss_ || valid_loss_ < *best_valid_loss_) best_valid_loss_ = valid_loss_;
    last_eval_step_ = step_;
    char line[128];
    std::snprintf(line, sizeof line, "eval step %lld | valid loss %.4f | best %.4f", static_cast<long long>(step_),
                  valid_loss_, *best_valid_loss_);
    bar.print_line(line);
    log.eval(step_, valid_loss_);
  }

  void checkpoint() {
    TrainerState state;
    state.step = step_;
    state.data = train_stream_.state();
    state.best_valid_loss = best_valid_loss_;
    state.config_fingerprint = fingerprint(c_.to_json());
    state.threads = num_threads();
    save_checkpoint(o_.out_dir, model_config_, model_, optimizer_, {&codec_}, state);
    last_checkpoint_step_ = step_;
  }

  TrainResult finish(TrainOutcome outcome, RunLog& log, ProgressBar& bar, clock_type::time_point session_start) {
    if (outcome == TrainOutcome::finished && last_eval_step_ != step_) evaluate(log, bar);
    if (last_checkpoint_step_ != step_) checkpoint();
    bar.finish();
    const std::string checkpoint = checkpoint_dir(o_.out_dir);
    if (outcome == TrainOutcome::finished) {
      model::save_model(o_.out_dir, model_config_, model_, {&codec_});
      std::fprintf(o_.out, "done: %lld steps, %s this session; valid loss %.4f (best %.4f); model in %s\n",
                   static_cast<long long>(step_), format_duration(seconds_since(session_start)).c_str(),
                   valid_loss_, *best_valid_loss_, o_.out_dir.c_str());
    } else {
      std::fprintf(o_.out, "%s after step %lld of %lld: checkpoint saved in %s\n",
                   outcome == TrainOutcome::interrupted ? "interrupted" : "stopped", static_cast<long long>(step_),
                   static_cast<long long>(c_.steps), checkpoint.c_str());
    }
    const std::string log_path = (fs::path(o_.out_dir) / "log.jsonl").string();
    const LossHistory history = read_loss_history(log_path);
    if (!history.train.empty() || !history.valid.empty()) {
      write_loss_chart((fs::path(o_.out_dir) / "loss.png").string(), history);
    }
    std::fflush(o_.out);
    return {outcome, step_, valid_loss_};
  }

  const TrainerOptions& o_;
  TrainConfig c_;
  codecs::TextCodec codec_;
  model::ModelConfig model_config_;
  Rng init_rng_;
  model::Transformer model_;
  optim::AdamW optimizer_;
  optim::CosineSchedule schedule_;
  data::TokenBatches train_stream_;
  std::vector<data::Batch> valid_batches_;

  int64_t step_ = 0;
  int64_t last_eval_step_ = -1, last_checkpoint_step_ = -1;
  double valid_loss_ = NAN;
  std::optional<double> best_valid_loss_;
  double peak_flops_ = 0, flops_per_token_ = 0;
};

}  // namespace

TrainResult run_training(const TrainerOptions& options) { return Trainer(options).run(); }

}  // namespace tessera::train

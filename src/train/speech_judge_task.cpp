#include "train/speech_judge_task.h"

#include <algorithm>
#include <filesystem>
#include <numeric>

#include "autograd/ctc.h"
#include "autograd/engine.h"
#include "codecs/audio/log_mels.h"
#include "core/progress.h"
#include "data/random_state.h"
#include "data/speech_set.h"
#include "eval/text_error.h"
#include "train/checkpoint.h"

namespace tessera::train {

namespace fs = std::filesystem;
using codecs::Spectrogram;

void SpeechJudgeTaskConfig::fields(Fields& f) {
  f.section("judge", [&](Fields& j) { judge.fields(j); });
  f.section(
      "data", [&](Fields& d) { data.fields(d); }, true);
  f.section("eval", [&](Fields& e) { e.integer("clips", eval_clips, {.min = 0}); });
}

namespace {

constexpr int64_t kEvalBatch = 32;  // clips per batch of the held-out evaluation

// A split's first clips: their log-mels, texts and the judge's labels of the texts.
struct Clips {
  std::vector<Spectrogram> log_mels;
  std::vector<std::string> texts;
  std::vector<std::vector<int32_t>> labels;
  int64_t frames = 0;  // log-mel frames of all of them
};

Clips load_clips(const eval::SpeechJudge& judge, const CodecData& data, const std::string& split, int64_t limit,
                 std::FILE* out) {
  const data::SpeechSet set = data::SpeechSet::load(data.dir, split);
  const int64_t count = limit > 0 ? std::min(limit, set.size()) : set.size();
  TESSERA_CHECK(count > 0, data.dir, " split ", split, ": no clips");
  const int64_t rate = judge.config().mel.sample_rate;
  Clips c;
  c.log_mels = codecs::compute_log_mels(
      judge.front_end(), count, [&](int64_t i) { return set.audio(i, rate).samples; }, "log-mel " + split, out);
  for (int64_t i = 0; i < count; ++i) {
    c.texts.push_back(set.clip(i).text);
    c.labels.push_back(judge.labels(c.texts.back()));
    c.frames += c.log_mels[static_cast<size_t>(i)].frames;
  }
  return c;
}

// Indices of clips, shortest first.
std::vector<size_t> by_length(const Clips& clips, const std::vector<size_t>& indices) {
  std::vector<size_t> out = indices;
  std::stable_sort(out.begin(), out.end(),
                   [&](size_t a, size_t b) { return clips.log_mels[a].frames < clips.log_mels[b].frames; });
  return out;
}

struct BatchLoss {
  Tensor loss;               // CTC, reduction mean, zero_infinity
  eval::FrameLogits scores;  // what it was computed from
};

BatchLoss batch_loss(const eval::SpeechJudge& judge, const Clips& clips, const std::vector<size_t>& rows) {
  std::vector<const Spectrogram*> mels;
  size_t longest = 1;  // a column of padding when every transcript is empty
  for (const size_t r : rows) {
    mels.push_back(&clips.log_mels[r]);
    longest = std::max(longest, clips.labels[r].size());
  }
  BatchLoss out{Tensor(), judge.logits(judge.batch(mels))};
  const auto B = static_cast<int64_t>(rows.size());
  std::vector<int32_t> targets(static_cast<size_t>(B) * longest, 1), lengths;
  for (size_t b = 0; b < rows.size(); ++b) {
    const std::vector<int32_t>& labels = clips.labels[rows[b]];
    std::copy(labels.begin(), labels.end(), targets.begin() + static_cast<int64_t>(b * longest));
    lengths.push_back(static_cast<int32_t>(labels.size()));
  }
  out.loss = ctc_loss(out.scores.logits, Tensor::from_vector(targets, {B, static_cast<int64_t>(longest)}),
                      Tensor::from_vector(out.scores.frames, {B}), Tensor::from_vector(lengths, {B}),
                      {.reduction = CtcReduction::mean, .zero_infinity = true});
  return out;
}

class SpeechJudgeTask : public Task {
 public:
  SpeechJudgeTask(const SpeechJudgeTaskConfig& c, const LoopConfig& loop, std::FILE* out)
      : c_(c),
        loop_(loop),
        init_rng_(static_cast<uint64_t>(loop.optimization.seed)),
        judge_(c.judge, init_rng_),
        batch_rng_(static_cast<uint64_t>(loop.optimization.seed) + 1),
        train_(load_clips(judge_, c.data, c.data.train, 0, out)) {
    // A clip CTC cannot align (its text needs more frames than it has) teaches nothing.
    std::vector<size_t> usable;
    for (size_t i = 0; i < train_.log_mels.size(); ++i) {
      const int64_t frames = eval::SpeechJudgeConfig::output_frames(train_.log_mels[i].frames);
      if (ctc_min_frames(train_.labels[i]) <= frames) usable.push_back(i);
    }
    order_ = by_length(train_, usable);
    const int64_t batch = loop.optimization.micro_batch_size();
    TESSERA_CHECK(static_cast<int64_t>(order_.size()) >= batch, c.data.dir, " split ", c.data.train, ": ",
                  order_.size(), " usable clips, fewer than a micro-batch of ", batch);
    if (fs::exists(fs::path(c.data.dir) / (c.data.valid + ".jsonl"))) {
      valid_ = load_clips(judge_, c.data, c.data.valid, c.eval_clips, out);
    }
  }

  nn::Module& module() override { return judge_.module(); }

  std::string describe() const override {
    const eval::SpeechJudgeConfig& j = c_.judge;
    const double fps = j.mel.frames_per_second();
    return str("speech judge: ", format_count(static_cast<double>(judge_.module().num_parameters())), " parameters, ",
               j.mel.n_mels, " mel bins at ", j.mel.sample_rate, " Hz -> ", j.blocks, " residual conv blocks of ",
               j.channels, " channels (kernel ", j.kernel, ") at ", fps / 2, " frames/s -> ", j.symbols(),
               " symbols with the blank; ", order_.size(), " training clips (",
               format_duration(static_cast<double>(train_.frames) / fps), " of audio, ",
               train_.log_mels.size() - order_.size(), " too short for their text left out), ", valid_.log_mels.size(),
               " held out (", c_.data.valid, "); batches of clips of similar length\n");
  }
  const char* unit() const override { return "clips"; }
  int64_t units_per_step() const override { return loop_.optimization.batch_size; }

  Tensor next_loss() override {
    const int64_t batch = loop_.optimization.micro_batch_size();
    const auto start = static_cast<size_t>(batch_rng_.below(static_cast<int64_t>(order_.size()) - batch + 1));
    const std::vector<size_t> rows =
        shard_.rows(std::vector<size_t>(order_.begin() + start, order_.begin() + start + batch));
    BatchLoss r = batch_loss(judge_, train_, rows);
    const std::vector<std::string> heard = judge_.decode(r.scores);
    for (size_t b = 0; b < rows.size(); ++b) window_errors_.add(train_.texts[rows[b]], heard[b]);
    return r.loss;
  }

  void shard(const Shard& shard) override { shard_ = shard; }

  // The character error rate of the training batches' greedy transcripts.
  Metrics window_metrics() override {
    Metrics m = {{"cer", 100 * window_errors_.cer(), "%.1f%%"}};
    window_errors_ = {};
    return m;
  }

  Metrics evaluate() override {
    if (valid_.log_mels.empty()) return {};
    const autograd::NoGradGuard no_grad;
    std::vector<size_t> all(valid_.log_mels.size());
    std::iota(all.begin(), all.end(), size_t{0});
    const std::vector<size_t> order = by_length(valid_, all);
    double loss = 0;
    eval::TextErrorRate errors;
    for (size_t start = 0; start < order.size(); start += kEvalBatch) {
      const std::vector<size_t> rows(order.begin() + static_cast<int64_t>(start),
                                     order.begin() + static_cast<int64_t>(std::min(start + kEvalBatch, order.size())));
      const BatchLoss r = batch_loss(judge_, valid_, rows);
      loss += r.loss.item() * static_cast<double>(rows.size());
      const std::vector<std::string> heard = judge_.decode(r.scores);
      for (size_t b = 0; b < rows.size(); ++b) errors.add(valid_.texts[rows[b]], heard[b]);
    }
    return {{"valid_loss", loss / static_cast<double>(order.size()), "%.4f"},
            {"cer", 100 * errors.cer(), "%.2f%%"},
            {"wer", 100 * errors.wer(), "%.2f%%"}};
  }

  void state_fields(Fields& f) override { data::rng_field(f, "batch_rng", batch_rng_); }

  void save(const std::string& dir) const override { judge_.save(file_in(dir)); }
  void load(const std::string& dir) override {
    eval::SpeechJudge saved = eval::SpeechJudge::load(file_in(dir));
    check_same_config(saved.config().to_json(), c_.judge.to_json(), file_in(dir));
    judge_ = std::move(saved);
  }

 private:
  static std::string file_in(const std::string& dir) { return (fs::path(dir) / "judge.safetensors").string(); }

  const SpeechJudgeTaskConfig c_;
  const LoopConfig loop_;
  Rng init_rng_;
  eval::SpeechJudge judge_;
  Rng batch_rng_;
  Clips train_, valid_;
  std::vector<size_t> order_;  // the usable training clips, shortest first
  Shard shard_;
  eval::TextErrorRate window_errors_;
};

}  // namespace

std::unique_ptr<Task> SpeechJudgeTaskConfig::make(const LoopConfig& loop, std::FILE* out) const {
  return std::make_unique<SpeechJudgeTask>(*this, loop, out);
}

}  // namespace tessera::train

#include "train/transformer_task.h"

#include <filesystem>
#include <optional>

#include "autograd/cross_entropy.h"
#include "codecs/audio/audio_codec.h"
#include "codecs/image/image_codec.h"
#include "codecs/text_codec.h"
#include "core/progress.h"
#include "data/corpus_build.h"
#include "data/mixed_example.h"
#include "data/packed_batches.h"
#include "eval/loss_breakdown.h"
#include "io/safetensors.h"
#include "model/model_dir.h"
#include "train/checkpoint.h"
#include "train/flops.h"

namespace tessera::train {

namespace fs = std::filesystem;

void TransformerTaskConfig::fields(Fields& f) {
  f.section(
      "model",
      [&](Fields& m) {
        model.fields(m, false);
        m.integer("context_length", context_length, {.min = 1, .required = true});
      },
      true);
  f.section(
      "codecs", [&](Fields& c) { codec_files.fields(c); }, true);
  f.section(
      "data",
      [&](Fields& d) {
        d.paths("train", train_shards, true);
        d.paths("valid", valid_shards, true);
        choice(d, "packing", packed, {{"windows", false}, {"examples", true}});
        if (!packed) data::sampling_field(d, "sampling", sampling);
      },
      true);
  f.section("loss", [&](Fields& l) {
    l.number("z_loss", z_loss, {.min = 0});
    l.section("weights", [&](Fields& w) {
      w.number("text", text_weight, {.min = 0});
      w.number("image", image_weight, {.min = 0});
      w.number("audio", audio_weight, {.min = 0});
    });
  });
  f.section("eval", [&](Fields& e) { e.integer("batches", eval_batches, {.min = 1}); });
}

namespace {

using codecs::Modality;

// "<prefix>text<suffix>", "<prefix>image<suffix>", ... then, with `tasks`, each task's, for
// those that had targets.
Metrics breakdown_metrics(const eval::LossBreakdown& b, const std::string& prefix, const std::string& suffix,
                          bool tasks) {
  Metrics out;
  for (const eval::LossGroup& g : b.modalities()) out.push_back({prefix + g.name + suffix, g.mean, "%.3f"});
  if (tasks) {
    for (const eval::LossGroup& g : b.tasks()) out.push_back({prefix + g.name + suffix, g.mean, "%.3f"});
  }
  return out;
}

class TransformerTask : public Task {
 public:
  TransformerTask(const TransformerTaskConfig& c, const LoopConfig& loop)
      : c_(c),
        loop_(loop),
        text_(codecs::TextCodec::load(c.codec_files.text)),
        image_(c.codec_files.image.empty() ? nullptr : codecs::ImageCodec::load(c.codec_files.image)),
        audio_(c.codec_files.audio.empty() ? nullptr : codecs::AudioCodec::load(c.codec_files.audio)),
        model_config_(model_config()),
        init_rng_(static_cast<uint64_t>(loop.optimization.seed)),
        model_(std::make_unique<model::Transformer>(model_config_.transformer, init_rng_)) {
    const int64_t B = loop.optimization.micro_batch_size(), T = c.context_length;
    const auto seed = static_cast<uint64_t>(loop.optimization.seed) + 1;
    const codecs::Vocabulary& v = model_config_.vocabulary;
    check_corpus_layouts();
    if (c.packed) {
      packed_.emplace(c.train_shards, v, B, T, /*shuffle=*/true, seed);
      data::PackedBatches valid(c.valid_shards, v, B, T, /*shuffle=*/false, 0);
      for (int64_t i = 0; i < c.eval_batches; ++i) valid_.push_back(valid.next());
    } else {
      windows_.emplace(c.train_shards, v.total(), B, T, c.sampling, seed);
      data::TokenBatches valid(c.valid_shards, v.total(), B, T, data::Sampling::sequential, 0);
      for (int64_t i = 0; i < c.eval_batches; ++i) valid_.push_back(as_rows(valid.next()));
    }
  }

  nn::Module& module() override { return *model_; }

  std::string describe() const override {
    const model::TransformerConfig& t = model_config_.transformer;
    const OptimizationConfig& o = loop_.optimization;
    std::string codecs_line;
    for (const codecs::Codec* codec : codec_list()) {
      codecs_line += str(codecs::modality_name(codec->modality()), " codec: ", codec->description(), "\n");
    }
    std::string data_line;
    if (packed_) {
      const std::vector<int64_t> counts = packed_->task_counts();
      data_line = str("training examples: ", packed_->num_examples(), " (");
      bool first = true;
      for (int task = 0; task < data::kExampleTasks; ++task) {
        if (counts[static_cast<size_t>(task)] == 0) continue;
        data_line += str(first ? "" : ", ", data::example_task_name(static_cast<data::ExampleTask>(task)), " ",
                         counts[static_cast<size_t>(task)]);
        first = false;
      }
      data_line += str("), ", packed_->num_ids(), " ids, packed into rows of ", c_.context_length + 1, "\n");
    }
    return str("model: ", format_count(static_cast<double>(model_->num_parameters())), " parameters (",
               format_count(static_cast<double>(matmul_parameters(*model_))), " in matmuls), ", t.n_layers,
               " layers, dim ", t.dim, ", context ", c_.context_length, ", vocabulary ", t.vocab_size, "\n",
               codecs_line, data_line, "tokens per step: ", units_per_step(), " (batch ", o.batch_size, " x context ",
               c_.context_length, ", ", o.micro_batches, " micro-batch", o.micro_batches == 1 ? "" : "es", ")\n",
               "FLOPs per token: ", format_count(flops_per_token(*model_, c_.context_length)),
               " (6 x matmul parameters + 6 x layers x context x dim)\n");
  }
  const char* unit() const override { return "tokens"; }
  int64_t units_per_step() const override { return loop_.optimization.batch_size * c_.context_length; }
  double flops_per_step() const override {
    return flops_per_token(*model_, c_.context_length) * static_cast<double>(units_per_step());
  }

  Tensor next_loss() override {
    const data::PackedBatch batch = shard_rows(packed_ ? packed_->next() : as_rows(windows_->next()));
    CrossEntropyOptions options;
    options.z_loss = static_cast<float>(c_.z_loss);
    if (c_.text_weight != 1 || c_.image_weight != 1 || c_.audio_weight != 1) options.weights = weights(batch.targets);
    Tensor rows;
    Tensor loss =
        cross_entropy(model_->forward(batch.ids, 0, batch.mask), batch.targets, options, has_media() ? &rows : nullptr);
    if (has_media()) window_.add(rows, batch.targets, batch.task, model_config_.vocabulary);
    if (packed_) {
      for (int64_t i = 0; i < batch.targets.numel(); ++i) window_targets_ += batch.targets.data<int32_t>()[i] >= 0;
      window_positions_ += batch.targets.numel();
    }
    return loss;
  }

  void shard(const Shard& shard) override { shard_ = shard; }

  Metrics window_metrics() override {
    Metrics out;
    if (has_media())
      out = breakdown_metrics(window_, "", "_loss", /*tasks=*/false);  // the log line: per task at evaluation
    if (packed_ && window_positions_ > 0) {
      out.push_back(
          {"targets", 100.0 * static_cast<double>(window_targets_) / static_cast<double>(window_positions_), "%.1f%%"});
    }
    window_ = {};
    window_targets_ = window_positions_ = 0;
    return out;
  }

  Metrics evaluate() override {
    if (!has_media() && !packed_) {  // the text model's measure, unchanged: the mean of the rows' means
      double total = 0;
      for (const data::PackedBatch& batch : valid_) {
        total += cross_entropy(model_->forward(batch.ids), batch.targets).item();
      }
      return {{"valid_loss", total / static_cast<double>(valid_.size())}};
    }
    eval::LossBreakdown breakdown;
    for (const data::PackedBatch& batch : valid_) {
      Tensor rows;
      cross_entropy(model_->forward(batch.ids, 0, batch.mask), batch.targets, {}, &rows);
      breakdown.add(rows, batch.targets, batch.task, model_config_.vocabulary);
    }
    Metrics out{{"valid_loss", breakdown.mean()}};
    for (Metric& m : breakdown_metrics(breakdown, "valid_", "", /*tasks=*/true)) out.push_back(std::move(m));
    return out;
  }

  void state_fields(Fields& f) override {
    f.section(
        "data",
        [&](Fields& d) {
          if (packed_) {
            packed_->fields(d);
          } else {
            windows_->fields(d);
          }
        },
        true);
  }

  void save(const std::string& dir) const override { model::save_model(dir, model_config_, *model_, codec_list()); }
  void load(const std::string& dir) override {
    check_same_config(write_config(model::load_model_config(dir)), write_config(model_config_),
                      (fs::path(dir) / "config.json").string());
    const Safetensors weights = read_safetensors((fs::path(dir) / "model.safetensors").string());
    model_->load_parameters(weights.tensors, weights.source);
  }

 private:
  bool has_media() const { return image_ != nullptr || audio_ != nullptr; }

  // Windows of text as rows: no mask (plain causal attention), no tasks.
  static data::PackedBatch as_rows(const data::Batch& b) { return {b.ids, b.targets, Tensor(), {}}; }

  // This rank's rows of a batch every rank drew whole.
  data::PackedBatch shard_rows(const data::PackedBatch& b) const {
    if (shard_.whole()) return b;
    data::PackedBatch out{
        shard_.rows(b.ids), shard_.rows(b.targets), b.mask.defined() ? shard_.rows(b.mask) : Tensor(), {}};
    if (!b.task.empty()) {
      const int64_t B = b.ids.size(0), T = b.ids.size(1);
      out.task.assign(b.task.begin() + shard_.first(B) * T, b.task.begin() + (shard_.first(B) + shard_.count(B)) * T);
    }
    return out;
  }

  std::vector<const codecs::Codec*> codec_list() const {
    std::vector<const codecs::Codec*> out{&text_};
    if (image_) out.push_back(image_.get());
    if (audio_) out.push_back(audio_.get());
    return out;
  }

  // The model directory's config: the vocabulary the codecs lay out (the layout the shards
  // are written in, data::mixed_vocabulary).
  model::ModelConfig model_config() const {
    model::ModelConfig m;
    m.transformer = c_.model;
    m.context_length = c_.context_length;
    m.vocabulary = data::mixed_vocabulary(codec_list());
    for (const codecs::Codec* codec : codec_list()) m.add_codec(*codec);
    m.finalize(c_.codec_files.text);
    return m;
  }

  // Shards that `tessera data build` wrote sit beside a corpus.json naming the vocabulary
  // they were encoded in: one built with other codecs would train on ids that mean other
  // things, so it is refused before any step.
  void check_corpus_layouts() const {
    for (const std::vector<std::string>* shards : {&c_.train_shards, &c_.valid_shards}) {
      for (const std::string& shard : *shards) {
        const fs::path corpus = fs::path(shard).parent_path() / "corpus.json";
        if (!fs::exists(corpus)) continue;
        const codecs::Vocabulary built = data::read_corpus_vocabulary(corpus.string());
        TESSERA_CHECK(write_config(built) == write_config(model_config_.vocabulary), shard, ": built (",
                      corpus.string(), ") in the vocabulary ", data::describe_layout(built),
                      ", but the recipe's codecs make ", data::describe_layout(model_config_.vocabulary),
                      ": build the corpus again with these codecs, or train with the ones it was built with");
      }
    }
  }

  // targets: i32 (B, T) -> f32 (B, T), each target's modality weight (0 where ignored).
  Tensor weights(const Tensor& targets) const {
    Tensor w = Tensor::empty(targets.shape());
    const int32_t* t = targets.data<int32_t>();
    float* out = w.data<float>();
    for (int64_t i = 0; i < targets.numel(); ++i) {
      if (t[i] < 0) {
        out[i] = 0;
        continue;
      }
      const Modality m = model_config_.vocabulary.modality_of(t[i]);
      out[i] = static_cast<float>(m == Modality::image   ? c_.image_weight
                                  : m == Modality::audio ? c_.audio_weight
                                                         : c_.text_weight);
    }
    return w;
  }

  const TransformerTaskConfig c_;
  const LoopConfig loop_;
  codecs::TextCodec text_;
  std::unique_ptr<codecs::ImageCodec> image_;
  std::unique_ptr<codecs::AudioCodec> audio_;
  model::ModelConfig model_config_;
  Rng init_rng_;
  std::unique_ptr<model::Transformer> model_;
  std::optional<data::TokenBatches> windows_;
  std::optional<data::PackedBatches> packed_;
  std::vector<data::PackedBatch> valid_;
  Shard shard_;
  eval::LossBreakdown window_;
  int64_t window_targets_ = 0, window_positions_ = 0;
};

}  // namespace

std::unique_ptr<Task> TransformerTaskConfig::make(const LoopConfig& loop, std::FILE* out) const {
  return std::make_unique<TransformerTask>(*this, loop);
}

}  // namespace tessera::train

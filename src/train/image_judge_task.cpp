#include "train/image_judge_task.h"

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <optional>
#include <set>

#include "autograd/cross_entropy.h"
#include "core/progress.h"
#include "data/image_set.h"
#include "data/shuffled_order.h"
#include "train/checkpoint.h"

namespace tessera::train {

namespace fs = std::filesystem;

void ImageJudgeTaskConfig::defaults(LoopConfig& loop) const {
  loop.eval_every = 0;
  loop.checkpoint_every = 500;
  loop.log_every = 50;
}

void ImageJudgeTaskConfig::fields(Fields& f) {
  f.section("model", [&](Fields& m) { model.model_fields(m); });
  f.section(
      "data",
      [&](Fields& d) {
        data.fields(d);
        d.string("test", test);
      },
      true);
  f.section("eval", [&](Fields& e) { e.integer("images", eval_images, {.min = 0}); });
}

namespace {

constexpr int64_t kEvalBatch = eval::ImageJudge::kBatch;

// A split of the set and the labels of its images that are used (all, or the first
// eval.images held out).
struct LabelledSplit {
  std::string name;
  data::ImageSet set;
  std::vector<int32_t> labels;

  int64_t size() const { return static_cast<int64_t>(labels.size()); }
};

// The labels of the first `count` images of `set` (read from `path`): their captions' indices
// among `classes` (sorted).
std::vector<int32_t> labels_of(const data::ImageSet& set, int64_t count, const std::vector<std::string>& classes,
                               const std::string& path) {
  std::vector<int32_t> labels;
  for (int64_t i = 0; i < count; ++i) {
    const std::string& caption = set.caption(i);
    const auto it = std::lower_bound(classes.begin(), classes.end(), caption);
    TESSERA_CHECK(it != classes.end() && *it == caption, path, ": image ", i, " is captioned \"", caption,
                  "\", which is none of the ", classes.size(), " classes of the training split");
    labels.push_back(static_cast<int32_t>(it - classes.begin()));
  }
  return labels;
}

// The training split's distinct captions, sorted: the classes, label i the i-th.
std::vector<std::string> classes_of(const data::ImageSet& train, const std::string& path) {
  std::set<std::string> distinct;
  for (int64_t i = 0; i < train.size(); ++i) distinct.insert(train.caption(i));
  TESSERA_CHECK(distinct.size() >= 2, path, ": the captions name ", distinct.size(),
                " class; a judge needs at least 2 (the captions are the class names)");
  return {distinct.begin(), distinct.end()};
}

// The judge's config: the recipe's model, the training split's image size and classes.
eval::ImageJudgeConfig judge_config(const ImageJudgeTaskConfig& c, const data::ImageSet& train) {
  eval::ImageJudgeConfig j = c.model;
  j.height = train.height();
  j.width = train.width();
  j.channels = train.channels();
  j.classes = classes_of(train, data::image_set_path(c.data.dir, c.data.train));
  return j;
}

// The label of one row of logits: the index of its largest (ties to the lower).
int32_t argmax_row(const float* row, int64_t classes) {
  return static_cast<int32_t>(std::max_element(row, row + classes) - row);
}

class ImageJudgeTask : public Task {
 public:
  ImageJudgeTask(const ImageJudgeTaskConfig& c, const LoopConfig& loop)
      : c_(c),
        loop_(loop),
        train_{c.data.train, data::ImageSet::load(data::image_set_path(c.data.dir, c.data.train)), {}},
        init_rng_(static_cast<uint64_t>(loop.optimization.seed)),
        judge_(std::make_unique<eval::ImageJudge>(judge_config(c, train_.set), init_rng_)),
        order_(train_.set.size(), static_cast<uint64_t>(loop.optimization.seed) + 1) {
    train_.labels =
        labels_of(train_.set, train_.set.size(), judge_->classes(), data::image_set_path(c.data.dir, c.data.train));
    if (fs::exists(data::image_set_path(c.data.dir, c.data.valid))) valid_ = load_held_out(c.data.valid);
    if (!c.test.empty()) test_ = load_held_out(c.test);
  }

  nn::Module& module() override { return *judge_; }

  std::string describe() const override {
    const eval::ImageJudgeConfig& j = judge_->config();
    std::string held_out;
    for (const std::optional<LabelledSplit>* s : {&valid_, &test_})
      if (*s) held_out += str(held_out.empty() ? "" : ", ", (*s)->size(), " (", (*s)->name, ")");
    return str("image judge: ", format_count(static_cast<double>(judge_->num_parameters())), " parameters, ", j.height,
               " x ", j.width, " x ", j.channels, " images -> ", j.features, " features -> ", j.classes.size(),
               " classes; ", train_.size(), " training images (", c_.data.train, "), ",
               held_out.empty() ? str("none held out (no ", c_.data.valid, " split)") : held_out + " held out", "\n");
  }
  const char* unit() const override { return "images"; }
  int64_t units_per_step() const override { return loop_.optimization.batch_size; }

  Tensor next_loss() override {
    const std::vector<int64_t> indices = shard_.rows(order_.next(loop_.optimization.micro_batch_size()));
    std::vector<int32_t> labels;
    for (const int64_t i : indices) labels.push_back(train_.labels[static_cast<size_t>(i)]);
    const Tensor logits = judge_->forward(data::image_batch(train_.set.array(), indices));
    const int64_t classes = logits.size(1);
    for (size_t b = 0; b < labels.size(); ++b)
      window_correct_ += argmax_row(logits.data<float>() + static_cast<int64_t>(b) * classes, classes) == labels[b];
    window_images_ += static_cast<int64_t>(labels.size());
    return cross_entropy(logits, Tensor::from_vector(labels, {static_cast<int64_t>(labels.size())}));
  }

  // Every rank draws the whole batch in the same order and keeps its rows (shard.h).
  void shard(const Shard& shard) override { shard_ = shard; }

  // The accuracy on the training batches since the last log line.
  Metrics window_metrics() override {
    Metrics m = {
        {"accuracy", 100.0 * static_cast<double>(window_correct_) / static_cast<double>(window_images_), "%.2f%%"}};
    window_correct_ = window_images_ = 0;
    return m;
  }

  Metrics evaluate() override {
    Metrics m;
    if (valid_) {
      const auto [loss, accuracy] = measure(*valid_);
      m.push_back({"valid_loss", loss, "%.4f"});
      m.push_back({"accuracy", 100 * accuracy, "%.2f%%"});
    }
    if (test_) {
      const auto [loss, accuracy] = measure(*test_);
      m.push_back({"test_loss", loss, "%.4f"});
      m.push_back({"test_accuracy", 100 * accuracy, "%.2f%%"});
    }
    return m;
  }

  void state_fields(Fields& f) override {
    f.section(
        "order", [&](Fields& o) { order_.fields(o); }, true);
  }

  void save(const std::string& dir) const override { judge_->save(file_in(dir)); }
  void load(const std::string& dir) override {
    const eval::ImageJudge saved = eval::ImageJudge::load(file_in(dir));
    check_same_config(saved.config().to_json(), judge_->config().to_json(), file_in(dir));
    judge_->load_parameters(saved.named_parameters(), file_in(dir));
  }

 private:
  static std::string file_in(const std::string& dir) { return (fs::path(dir) / kImageJudgeFile).string(); }

  LabelledSplit load_held_out(const std::string& split) const {
    const std::string path = data::image_set_path(c_.data.dir, split);
    LabelledSplit s{split, data::ImageSet::load(path), {}};
    const int64_t count = c_.eval_images > 0 ? std::min(c_.eval_images, s.set.size()) : s.set.size();
    s.labels = labels_of(s.set, count, judge_->classes(), path);
    const data::ImageSet& t = train_.set;
    TESSERA_CHECK(s.set.height() == t.height() && s.set.width() == t.width() && s.set.channels() == t.channels(), path,
                  ": images are ", s.set.height(), " x ", s.set.width(), " x ", s.set.channels(),
                  " (H x W x C), the training split's ", t.height(), " x ", t.width(), " x ", t.channels());
    return s;
  }

  // The mean cross-entropy and the share of argmax labels that are right, over all of `s`.
  std::pair<double, double> measure(const LabelledSplit& s) const {
    double loss = 0;
    int64_t correct = 0;
    for (int64_t first = 0; first < s.size(); first += kEvalBatch) {
      std::vector<int64_t> indices(static_cast<size_t>(std::min(kEvalBatch, s.size() - first)));
      std::iota(indices.begin(), indices.end(), first);
      const std::vector<int32_t> labels(s.labels.begin() + first, s.labels.begin() + first + indices.size());
      const Tensor logits = judge_->forward(data::image_batch(s.set.array(), indices));
      const int64_t n = static_cast<int64_t>(labels.size()), classes = logits.size(1);
      loss += static_cast<double>(n) * cross_entropy(logits, Tensor::from_vector(labels, {n})).item();
      for (int64_t b = 0; b < n; ++b) correct += argmax_row(logits.data<float>() + b * classes, classes) == labels[b];
    }
    const double n = static_cast<double>(std::max<int64_t>(s.size(), 1));
    return {loss / n, static_cast<double>(correct) / n};
  }

  const ImageJudgeTaskConfig c_;
  const LoopConfig loop_;
  LabelledSplit train_;
  Rng init_rng_;
  std::unique_ptr<eval::ImageJudge> judge_;
  std::optional<LabelledSplit> valid_, test_;
  data::ShuffledOrder order_;
  Shard shard_;
  int64_t window_correct_ = 0, window_images_ = 0;
};

}  // namespace

std::unique_ptr<Task> ImageJudgeTaskConfig::make(const LoopConfig& loop, std::FILE* out) const {
  return std::make_unique<ImageJudgeTask>(*this, loop);
}

}  // namespace tessera::train

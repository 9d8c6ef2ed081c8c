#pragma once
// Sums of per-target cross-entropies by the target's modality (control tokens count as text)
// and by the task of the example it belongs to (data/mixed_example.h): the training log's
// per-modality losses and the evaluation's per-modality and per-task perplexities.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "codecs/vocabulary.h"
#include "core/tensor.h"
#include "data/mixed_example.h"

namespace tessera::eval {

struct LossGroup {
  std::string name;  // "text", "image", "audio", or a task's name
  double mean = 0;   // nats per target
  int64_t targets = 0;
};

class LossBreakdown {
 public:
  // rows: f32 (N) losses; targets: i32 (N), -100 ignored; task: (N) or empty (windows).
  void add(const Tensor& rows, const Tensor& targets, const std::vector<int8_t>& task,
           const codecs::Vocabulary& vocabulary);

  // The groups that had targets: modalities in vocabulary order, tasks in ExampleTask order.
  std::vector<LossGroup> modalities() const;
  std::vector<LossGroup> tasks() const;
  double mean() const { return all_.mean(); }
  int64_t targets() const { return all_.count; }

 private:
  struct Sum {
    double total = 0;
    int64_t count = 0;
    void add(double v) {
      total += v;
      ++count;
    }
    double mean() const { return count > 0 ? total / static_cast<double>(count) : 0.0; }
  };
  Sum all_;
  std::array<Sum, 4> modality_{};
  std::array<Sum, data::kExampleTasks> task_{};
};

}  // namespace tessera::eval

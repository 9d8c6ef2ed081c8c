#include "eval/loss_breakdown.h"

namespace tessera::eval {

using codecs::Modality;

void LossBreakdown::add(const Tensor& rows, const Tensor& targets, const std::vector<int8_t>& task,
                        const codecs::Vocabulary& vocabulary) {
  const float* loss = rows.data<float>();
  const int32_t* t = targets.data<int32_t>();
  for (int64_t i = 0; i < targets.numel(); ++i) {
    if (t[i] < 0) continue;
    Modality m = vocabulary.modality_of(t[i]);
    if (m == Modality::control) m = Modality::text;
    modality_[static_cast<size_t>(m)].add(loss[i]);
    if (!task.empty()) task_[static_cast<size_t>(task[static_cast<size_t>(i)])].add(loss[i]);
    all_.add(loss[i]);
  }
}

std::vector<LossGroup> LossBreakdown::modalities() const {
  std::vector<LossGroup> out;
  for (const Modality m : {Modality::text, Modality::image, Modality::audio}) {
    const Sum& s = modality_[static_cast<size_t>(m)];
    if (s.count > 0) out.push_back({codecs::modality_name(m), s.mean(), s.count});
  }
  return out;
}

std::vector<LossGroup> LossBreakdown::tasks() const {
  std::vector<LossGroup> out;
  for (int t = 0; t < data::kExampleTasks; ++t) {
    const Sum& s = task_[static_cast<size_t>(t)];
    if (s.count > 0) out.push_back({data::example_task_name(static_cast<data::ExampleTask>(t)), s.mean(), s.count});
  }
  return out;
}

}  // namespace tessera::eval

#include "train/data_parallel.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "core/error.h"

namespace tessera::train {

namespace {

// Adds the seconds from its construction to its end to `total`.
class Stopwatch {
 public:
  explicit Stopwatch(double& total) : total_(total), start_(std::chrono::steady_clock::now()) {}
  ~Stopwatch() { total_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

 private:
  double& total_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

std::vector<int> parameter_owners(const std::vector<int64_t>& sizes, int ranks) {
  TESSERA_CHECK(ranks > 0, "parameter owners: ", ranks, " ranks");
  std::vector<size_t> order(sizes.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return sizes[a] > sizes[b]; });
  std::vector<int64_t> held(static_cast<size_t>(ranks));
  std::vector<int> owners(sizes.size());
  for (const size_t i : order) {
    const auto least = std::min_element(held.begin(), held.end());
    owners[i] = static_cast<int>(least - held.begin());
    *least += sizes[i];
  }
  return owners;
}

DataParallel::DataParallel(Collective& collective, nn::Module& module, optim::AdamW& optimizer, bool shard_optimizer)
    : collective_(collective), params_(module.parameters()), optimizer_(optimizer), shard_optimizer_(shard_optimizer) {
  if (!shard_optimizer_) return;
  std::vector<int64_t> sizes;
  for (const Tensor& p : params_) sizes.push_back(p.numel());
  owners_ = parameter_owners(sizes, collective_.size());
  std::vector<bool> owned;
  for (const int owner : owners_) owned.push_back(owner == collective_.rank());
  optimizer_.keep_only(owned);
}

double DataParallel::mean(double value) {
  if (single()) return value;
  const Stopwatch timed(communication_s_);
  collective_.allreduce_sum(std::span<double>(&value, 1));
  return value / collective_.size();
}

void DataParallel::average_gradients() {
  if (single()) return;
  const Stopwatch timed(communication_s_);
  // First which parameters have a gradient anywhere, so every rank reduces the same tensors.
  std::vector<float> has(params_.size());
  for (size_t i = 0; i < params_.size(); ++i) has[i] = params_[i].grad().defined() ? 1.0f : 0.0f;
  collective_.allreduce_sum(has);
  std::vector<Tensor> grads;
  for (size_t i = 0; i < params_.size(); ++i) {
    if (has[i] == 0) continue;
    const Tensor& p = params_[i];
    // The average is written in place, so a gradient sharing its buffer is copied first.
    if (!p.grad().defined()) {
      p.set_grad(Tensor::zeros(p.shape()), true);
    } else if (!p.grad_owned()) {
      p.set_grad(p.grad().clone(), true);
    }
    grads.push_back(p.grad());
  }
  // Tensors go into buckets whole (a tensor larger than a bucket is reduced alone, in place).
  const float scale = 1.0f / static_cast<float>(collective_.size());
  std::vector<float> bucket;
  std::vector<Tensor> in_bucket;
  const auto flush = [&] {
    if (in_bucket.empty()) return;
    collective_.allreduce_sum(bucket);
    size_t offset = 0;
    for (const Tensor& g : in_bucket) {
      float* out = g.data<float>();
      for (int64_t k = 0; k < g.numel(); ++k) out[k] = bucket[offset + static_cast<size_t>(k)] * scale;
      offset += static_cast<size_t>(g.numel());
    }
    bucket.clear();
    in_bucket.clear();
  };
  for (const Tensor& g : grads) {
    if (g.numel() >= kBucketValues) {
      float* values = g.data<float>();
      collective_.allreduce_sum(std::span<float>(values, static_cast<size_t>(g.numel())));
      for (int64_t k = 0; k < g.numel(); ++k) values[k] *= scale;
      continue;
    }
    if (static_cast<int64_t>(bucket.size()) + g.numel() > kBucketValues) flush();
    bucket.insert(bucket.end(), g.data<float>(), g.data<float>() + g.numel());
    in_bucket.push_back(g);
  }
  flush();
}

void DataParallel::share_updated_parameters() {
  if (!shard_optimizer_ || single()) return;
  const Stopwatch timed(communication_s_);
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& p = params_[i];
    collective_.broadcast(std::span<float>(p.data<float>(), static_cast<size_t>(p.numel())), owners_[i]);
  }
}

nn::NamedTensors DataParallel::optimizer_state() {
  if (!shard_optimizer_) return optimizer_.state();
  const std::vector<optim::AdamW::Param>& params = optimizer_.params();
  nn::NamedTensors out;
  for (size_t i = 0; i < params.size(); ++i) {
    const optim::AdamW::Param& p = params[i];
    const bool mine = owners_[i] == collective_.rank();
    for (const char* which : {"m.", "v."}) {
      Tensor value = mine ? (which[0] == 'm' ? p.m : p.v).clone() : Tensor::empty(p.value.shape());
      collective_.broadcast(std::span<float>(value.data<float>(), static_cast<size_t>(value.numel())), owners_[i]);
      out.emplace_back(which + p.name, value);
    }
    float steps = mine ? static_cast<float>(p.steps) : 0.0f;  // exact below 2^24 steps
    collective_.broadcast(std::span<float>(&steps, 1), owners_[i]);
    out.emplace_back("step." + p.name,
                     Tensor::from_vector(std::vector<int32_t>{static_cast<int32_t>(steps)}, {1}));
  }
  out.emplace_back("step", Tensor::from_vector(std::vector<int32_t>{static_cast<int32_t>(optimizer_.steps())}, {1}));
  return out;
}

double DataParallel::take_communication_seconds() {
  const double seconds = communication_s_;
  communication_s_ = 0;
  return seconds;
}

int64_t DataParallel::moment_bytes_kept() const {
  int64_t bytes = 0;
  for (const optim::AdamW::Param& p : optimizer_.params())
    if (p.m.defined()) bytes += 2 * static_cast<int64_t>(p.m.nbytes());
  return bytes;
}

int64_t DataParallel::moment_bytes_whole() const {
  int64_t bytes = 0;
  for (const optim::AdamW::Param& p : optimizer_.params()) bytes += 2 * static_cast<int64_t>(p.value.nbytes());
  return bytes;
}

void DataParallel::check_in_step(int64_t step) {
  if (single()) return;
  // A checksum of every weight's bits: the ranks' sums agree only when every rank's does.
  double sum = 0;
  for (const Tensor& p : params_) {
    const float* v = p.data<float>();
    for (int64_t k = 0; k < p.numel(); ++k) {
      uint32_t bits;
      std::memcpy(&bits, v + k, sizeof bits);
      sum += static_cast<double>(bits % 65521u);
    }
  }
  std::vector<double> sums(static_cast<size_t>(collective_.size()));
  sums[static_cast<size_t>(collective_.rank())] = sum;
  collective_.allreduce_sum(sums);
  for (size_t r = 1; r < sums.size(); ++r) {
    TESSERA_CHECK(sums[r] == sums[0], "step ", step, ": the weights on rank ", r,
                  " differ from rank 0's: the ranks no longer train one model (a collective summed in another "
                  "order on some rank)");
  }
}

DataParallel::Agreement DataParallel::agree(double elapsed_s, bool interrupted) {
  if (single()) return {elapsed_s, interrupted};
  std::vector<double> values = {collective_.rank() == 0 ? elapsed_s : 0.0, interrupted ? 1.0 : 0.0};
  collective_.allreduce_sum(values);
  return {values[0], values[1] > 0};
}

}  // namespace tessera::train

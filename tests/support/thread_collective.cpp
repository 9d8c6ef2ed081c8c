#include "support/thread_collective.h"

#include <string>

namespace tessera::testing {

class ThreadRanks::Rank final : public train::Collective {
 public:
  Rank(std::shared_ptr<Shared> shared, int rank, int size) : shared_(std::move(shared)), rank_(rank), size_(size) {}

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void allreduce_sum(std::span<float> values) override { reduce(values); }
  void allreduce_sum(std::span<double> values) override { reduce(values); }

  void broadcast(std::span<float> values, int root) override {
    if (rank_ == root) shared_->slots[0].assign(values.begin(), values.end());
    shared_->meet.arrive_and_wait();
    if (rank_ != root)
      for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(shared_->slots[0][i]);
    shared_->meet.arrive_and_wait();
  }
  void barrier() override { shared_->meet.arrive_and_wait(); }
  std::string describe() const override { return std::to_string(size_) + " threads as ranks"; }

 private:
  template <class T>
  void reduce(std::span<T> values) {
    shared_->slots[static_cast<size_t>(rank_)].assign(values.begin(), values.end());
    shared_->meet.arrive_and_wait();
    for (size_t i = 0; i < values.size(); ++i) {
      T sum = 0;
      for (int r = 0; r < size_; ++r) sum += static_cast<T>(shared_->slots[static_cast<size_t>(r)][i]);
      values[i] = sum;
    }
    shared_->meet.arrive_and_wait();
  }

  std::shared_ptr<Shared> shared_;
  int rank_, size_;
};

ThreadRanks::ThreadRanks(int ranks) : shared_(std::make_shared<Shared>(ranks)) {
  for (int r = 0; r < ranks; ++r) ranks_.push_back(std::make_unique<Rank>(shared_, r, ranks));
}

}  // namespace tessera::testing

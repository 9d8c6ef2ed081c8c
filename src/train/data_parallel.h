#pragma once
// Data parallelism over a Collective (collective.h): each rank computes the gradients of its
// share of every batch, and they are averaged before clipping and AdamW, so every rank takes
// the same step and the weights stay the same on all of them.
//
//   Shard (shard.h)    which rows of a batch are this rank's
//   average_gradients  the gradients in buckets of a fixed size (one collective per bucket,
//                      not per tensor), summed and divided by the ranks
//   ZeRO stage 1       with shard_optimizer, each parameter's AdamW moments live on one rank
//                      (owners balanced by size); the owner updates it and sends it to the rest
//
// Under one process every call is a no-op and the loop trains exactly as without it.
#include <chrono>
#include <cstdint>
#include <vector>

#include "nn/module.h"
#include "optim/adamw.h"
#include "train/collective.h"
#include "train/shard.h"

namespace tessera::train {

// The rank that owns each parameter under ZeRO-1: largest first, each to the rank holding the
// fewest values so far (ties to the lower rank), so the moments split as evenly as whole
// tensors allow. sizes: each parameter's element count.
std::vector<int> parameter_owners(const std::vector<int64_t>& sizes, int ranks);

class DataParallel {
 public:
  static constexpr int64_t kBucketValues = 1 << 20;  // 4 MiB of f32 per collective

  // With shard_optimizer, `optimizer` keeps the moments of this rank's parameters only.
  DataParallel(Collective& collective, nn::Module& module, optim::AdamW& optimizer, bool shard_optimizer);

  Shard shard() const { return {collective_.rank(), collective_.size()}; }
  bool single() const { return collective_.size() == 1; }
  bool writes() const { return collective_.rank() == 0; }  // logs, checkpoints, the output

  // The mean over the ranks of each rank's value.
  double mean(double value);
  // Every parameter's gradient averaged over the ranks. A parameter some rank has no
  // gradient for counts zeros there; one no rank has a gradient for keeps none.
  void average_gradients();
  // After AdamW: each parameter from its owner to the other ranks (ZeRO-1; else nothing).
  void share_updated_parameters();

  // The whole AdamW state as AdamW::state() gives it, gathered from the owners (ZeRO-1), for
  // the checkpoint rank 0 writes; collective, so every rank calls it. Without ZeRO-1, the
  // optimizer's own.
  nn::NamedTensors optimizer_state();
  // Bytes of AdamW moments this rank keeps, and what one process would keep.
  int64_t moment_bytes_kept() const;
  int64_t moment_bytes_whole() const;

  // Seconds spent in the step's collectives (averaging, sharing, the loss) since the last call.
  double take_communication_seconds();

  // Refuses weights that differ between the ranks (a sum a collective gave in another
  // order on some rank), naming the step; collective.
  void check_in_step(int64_t step);

  // Agrees on what each rank saw alone: the training time (rank 0's clock decides the
  // budget) and whether any rank was interrupted.
  struct Agreement {
    double elapsed_s = 0;
    bool interrupted = false;
  };
  Agreement agree(double elapsed_s, bool interrupted);

 private:
  Collective& collective_;
  std::vector<Tensor> params_;
  optim::AdamW& optimizer_;
  bool shard_optimizer_;
  std::vector<int> owners_;  // per parameter, under ZeRO-1
  double communication_s_ = 0;
};

}  // namespace tessera::train

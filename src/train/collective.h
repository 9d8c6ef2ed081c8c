#pragma once
// The collectives data-parallel training needs, behind one interface so that the loop does
// not know what carries them: one process (nothing to exchange), MPI between processes
// (mpi_collective.h, built when CMake finds MPI), and later NCCL on GPUs.
//
// Every rank calls the same collectives in the same order with the same sizes. A collective
// that waits longer than its timeout (a rank died or hangs) ends the whole job with an error
// naming the collective, this rank and the wait, rather than hanging.
#include <memory>
#include <span>
#include <string>

namespace tessera::train {

class Collective {
 public:
  virtual ~Collective() = default;

  virtual int rank() const = 0;
  virtual int size() const = 0;

  // The elementwise sum over the ranks, in place; every rank ends with the same bits.
  virtual void allreduce_sum(std::span<float> values) = 0;
  virtual void allreduce_sum(std::span<double> values) = 0;
  // The values of rank `root`, copied into every rank's `values`.
  virtual void broadcast(std::span<float> values, int root) = 0;
  // Returns once every rank has called it.
  virtual void barrier() = 0;

  // For the run's header: "one process", "Open MPI: 2 ranks on 1 machine".
  virtual std::string describe() const = 0;
};

class SingleProcess final : public Collective {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void allreduce_sum(std::span<float>) override {}
  void allreduce_sum(std::span<double>) override {}
  void broadcast(std::span<float>, int) override {}
  void barrier() override {}
  std::string describe() const override { return "one process"; }
};

// Whether an MPI launcher started this process as one of several ranks (mpirun sets
// OMPI_COMM_WORLD_SIZE, other launchers PMI_SIZE or PMIX_RANK).
bool launched_by_mpi();

// MPI when launched by an MPI launcher, one process otherwise. Launched by MPI in a binary
// built without it is an error that says so (rather than N processes each training alone).
// `timeout_s` bounds every wait of every collective.
std::unique_ptr<Collective> start_collective(double timeout_s);

}  // namespace tessera::train

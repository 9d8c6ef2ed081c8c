#ifdef TESSERA_HAVE_MPI
#include "train/mpi_collective.h"

// MPI's C API only: without these, mpi.h from C++ pulls in the removed C++ bindings.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <thread>

#include "core/error.h"

namespace tessera::train {

namespace {

class MpiCollective final : public Collective {
 public:
  explicit MpiCollective(double timeout_s) : timeout_s_(timeout_s) {
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    // The machines: the ranks that are first among those sharing their memory.
    MPI_Comm machine;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &machine);
    int rank_on_machine = 0;
    MPI_Comm_rank(machine, &rank_on_machine);
    MPI_Comm_free(&machine);
    double first_on_machine = rank_on_machine == 0 ? 1 : 0;
    allreduce_sum(std::span<double>(&first_on_machine, 1));
    machines_ = static_cast<int>(first_on_machine);
    char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int length = 0;
    MPI_Get_library_version(version, &length);
    library_ = std::string(version, static_cast<size_t>(length));
    library_ = library_.substr(0, library_.find_first_of(",\n"));  // "Open MPI v4.1.4"
  }
  ~MpiCollective() override { MPI_Finalize(); }

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void allreduce_sum(std::span<float> values) override { allreduce(values.data(), values.size(), MPI_FLOAT); }
  void allreduce_sum(std::span<double> values) override { allreduce(values.data(), values.size(), MPI_DOUBLE); }

  void broadcast(std::span<float> values, int root) override {
    MPI_Request request;
    MPI_Ibcast(values.data(), count(values.size()), MPI_FLOAT, root, MPI_COMM_WORLD, &request);
    wait(request, "broadcast");
  }

  void barrier() override {
    MPI_Request request;
    MPI_Ibarrier(MPI_COMM_WORLD, &request);
    wait(request, "barrier");
  }

  std::string describe() const override {
    return str(library_, ": ", size_, " ranks on ", machines_, machines_ == 1 ? " machine" : " machines");
  }

 private:
  static int count(size_t n) {
    TESSERA_CHECK(n <= static_cast<size_t>(INT_MAX), "MPI: ", n, " values in one call exceed MPI's int count");
    return static_cast<int>(n);
  }

  void allreduce(void* values, size_t n, MPI_Datatype type) {
    MPI_Request request;
    MPI_Iallreduce(MPI_IN_PLACE, values, count(n), type, MPI_SUM, MPI_COMM_WORLD, &request);
    wait(request, "allreduce");
  }

  // Polls `request` until it completes; past the deadline, ends every rank of the job. Spins
  // briefly first (a step's collectives usually complete in microseconds), then sleeps
  // between polls so a waiting rank does not take a core from the ones still computing.
  void wait(MPI_Request& request, const char* what) const {
    using clock = std::chrono::steady_clock;
    const clock::time_point start = clock::now();
    for (int polls = 0;; ++polls) {
      int done = 0;
      MPI_Test(&request, &done, MPI_STATUS_IGNORE);
      if (done) return;
      const double waited = std::chrono::duration<double>(clock::now() - start).count();
      if (waited > timeout_s_) {
        std::fprintf(stderr,
                     "error: rank %d of %d: %s waited %.0f s for the other ranks (one has died or hangs); ending the "
                     "job\n",
                     rank_, size_, what, waited);
        std::fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, 1);
      }
      if (polls > 1000) std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  }

  double timeout_s_;
  int rank_ = 0, size_ = 1, machines_ = 1;
  std::string library_;
};

}  // namespace

std::unique_ptr<Collective> start_mpi(double timeout_s) { return std::make_unique<MpiCollective>(timeout_s); }

}  // namespace tessera::train
#endif

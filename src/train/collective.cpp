#include "train/collective.h"

#include <cstdlib>

#include "core/error.h"
#include "train/mpi_collective.h"

namespace tessera::train {

namespace {
bool env_set(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0';
}
}  // namespace

bool launched_by_mpi() {
  return env_set("OMPI_COMM_WORLD_SIZE") || env_set("PMI_SIZE") || env_set("PMIX_RANK");
}

std::unique_ptr<Collective> start_collective(double timeout_s) {
  if (!launched_by_mpi()) return std::make_unique<SingleProcess>();
#ifdef TESSERA_HAVE_MPI
  return start_mpi(timeout_s);
#else
  fail("this process was started by an MPI launcher, but this tessera was built without MPI: install "
       "libopenmpi-dev (scripts/install-deps.sh does) and build again, or run it without mpirun");
#endif
}

}  // namespace tessera::train

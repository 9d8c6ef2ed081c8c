#pragma once
// Collectives over MPI (Debian's Open MPI) on MPI_COMM_WORLD. Each is a non-blocking call
// polled against a deadline, so that a rank that died or hangs ends the job (MPI_Abort) with
// a message instead of leaving the others waiting. Built when CMake finds MPI, which defines
// TESSERA_HAVE_MPI.
#ifdef TESSERA_HAVE_MPI
#include <memory>

#include "train/collective.h"

namespace tessera::train {

// Initializes MPI (only the main thread calls it); the collective finalizes it when destroyed.
std::unique_ptr<Collective> start_mpi(double timeout_s);

}  // namespace tessera::train
#endif

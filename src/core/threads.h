#pragma once
// The engine's thread count: `--threads`, else TESSERA_THREADS, else the cores this
// process may run on. Kernels parallelize with OpenMP over their natural dimensions.

namespace tessera {

int num_threads();
// Sets the count OpenMP uses; BLAS follows it at its next call. n >= 1.
void set_num_threads(int n);
// Reads TESSERA_THREADS (an integer from 1 to 4096; anything else is an error naming it)
// or falls back to the cores this process may run on; divided among the ranks on this
// machine when mpirun started several without binding each to its own cores.
int default_num_threads();

}  // namespace tessera

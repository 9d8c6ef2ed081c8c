#pragma once
// The engine's thread count: `--threads`, else TESSERA_THREADS, else the cores this
// process may run on. Kernels parallelize with OpenMP over their natural dimensions.

namespace tessera {

int num_threads();
// Sets the count OpenMP uses; BLAS follows it at its next call. n >= 1.
void set_num_threads(int n);
// Reads TESSERA_THREADS (an integer from 1 to 4096; anything else is an error naming it)
// or falls back to the cores this process may run on.
int default_num_threads();

// OpenMP's worker threads spin for a while after each parallel region (libgomp's default
// "active" wait) and take the cores OpenBLAS's own threads need for the next GEMM; a
// training step ran up to 1.5x slower for it on 2 cores. libgomp reads its wait policy from
// the environment when it loads, before main, so a program that finds OMP_WAIT_POLICY unset
// sets it to "passive" and executes itself again, once (a user's own setting is kept).
// Call first thing in main.
void prefer_passive_openmp_wait(char** argv);

}  // namespace tessera

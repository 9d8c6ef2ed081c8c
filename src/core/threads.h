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

// Idle worker threads spin for a while before they sleep: libgomp's after each parallel
// region (its default "active" wait), OpenBLAS's after each GEMM (2^28 cycles by default,
// yielding in a loop). On 2 cores each takes the core the other needs next: a transformer
// step ran up to 1.5x slower for OpenMP's spinning, a codec step (GEMMs between OpenMP
// kernels) 1.25x slower for OpenBLAS's. OpenBLAS gets 2^20 cycles (about 0.3 ms): long
// enough that the back-to-back products of decoding one token find its workers awake
// (the shortest spin, 2^4, halved decoding speed), short enough for the codecs. Both
// libraries read these settings from the environment when they load, before main, so a
// program that finds OMP_WAIT_POLICY or OPENBLAS_THREAD_TIMEOUT unset sets them and
// executes itself again, once; a user's own settings are kept. Call first thing in main.
void prefer_passive_thread_waits(char** argv);

}  // namespace tessera

#pragma once
// Settings the kernels' libraries read from the environment once, when they load (before
// main): how libgomp's and OpenBLAS's idle workers wait, and which of OpenBLAS's kernels run.
//
// Idle worker threads spin for a while before they sleep: libgomp's after each parallel
// region (its default "active" wait), OpenBLAS's after each GEMM (2^28 cycles by default,
// yielding in a loop). On 2 cores each takes the core the other needs next: a transformer
// step ran up to 1.5x slower for OpenMP's spinning, a codec step (GEMMs between OpenMP
// kernels) 1.25x slower for OpenBLAS's. OpenBLAS gets 2^20 cycles (about 0.3 ms): long
// enough that the back-to-back products of decoding one token find its workers awake
// (the shortest spin, 2^4, halved decoding speed), short enough for the codecs.
// libgomp's workers, passive, would sleep at once, and waking them costs a futex call per
// parallel region: a codec step (hundreds of short OpenMP kernels) spent about 8% of its
// time there. A short spin first (GOMP_SPINCOUNT=3000, a few microseconds) took a codec
// step from 104 to 91 ms; 300 spins gave 97 ms and 100000 gave 115-120 (the spinning
// thread takes the core again).
//
// OpenBLAS picks its kernels from the CPU's model number, and a release older than the CPU
// falls back to its oldest x86-64 kernels: Debian 12's OpenBLAS 0.3.21 runs SSE3 code
// ("Prescott") on Emerald Rapids Xeons, 64 GFLOP/s of SGEMM on 2 cores where its AVX-512
// kernels ("SkylakeX") reach 316, and a codec training step took 200 ms instead of 125.
// So where OpenBLAS chose kernels below what the CPU's features allow, it is asked for
// the right ones by name (OPENBLAS_CORETYPE).
#include <string>
#include <string_view>

namespace tessera::kernels::cpu {

// The vector units that decide which BLAS kernels a CPU can run.
struct CpuVectors {
  bool avx2_fma = false;  // AVX2 and FMA3: OpenBLAS's Haswell kernels
  bool avx512 = false;    // AVX-512 F, BW, DQ and VL: its SkylakeX kernels
};

// This CPU's, as the compiler's runtime reads them (the OS's saving of the registers included).
CpuVectors cpu_vectors();

// The kernels OpenBLAS runs in this process, by its own name for them ("SkylakeX").
std::string openblas_core();

// The OPENBLAS_CORETYPE to ask for when OpenBLAS, left to itself, chose `chosen` on a CPU
// with `cpu`: "SkylakeX" or "Haswell" where `chosen` is older than the best the CPU allows,
// else "" (keep OpenBLAS's choice). Core names are compared without regard to case.
std::string better_openblas_core(std::string_view chosen, const CpuVectors& cpu);

// Sets OPENBLAS_THREAD_TIMEOUT=20, OMP_WAIT_POLICY=passive with GOMP_SPINCOUNT=3000 (both
// only where no wait policy is set, so a user's "active" keeps libgomp's long spin) and,
// where better_openblas_core names one, OPENBLAS_CORETYPE, each only when unset (a user's
// own settings are kept); if it set any, it executes the program again, once, with the
// same arguments, since the libraries have already read the environment. Call first thing
// in main.
void set_library_environment(char** argv);

}  // namespace tessera::kernels::cpu

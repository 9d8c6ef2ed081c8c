#include "core/threads.h"

#include <omp.h>
#include <sched.h>

#include <algorithm>
#include <cstdlib>

#include "core/error.h"

namespace tessera {

namespace {

int g_threads = 0;  // 0 until first asked: then the default

}  // namespace

int default_num_threads() {
  if (const char* env = std::getenv("TESSERA_THREADS")) {
    char* end = nullptr;
    const long n = std::strtol(env, &end, 10);
    TESSERA_CHECK(end != env && *end == '\0' && n >= 1 && n <= 4096,
                  "TESSERA_THREADS: expected an integer from 1 to 4096, found '", env, "'");
    return static_cast<int>(n);
  }
  cpu_set_t set;
  const int cores = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : omp_get_num_procs();
  // Ranks an MPI launcher started on this machine without binding each to its own cores
  // would each take every core: they share them instead.
  const char* local = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
  const long ranks = local != nullptr ? std::strtol(local, nullptr, 10) : 1;
  if (ranks > 1 && cores == omp_get_num_procs()) return std::max(1, cores / static_cast<int>(ranks));
  return cores;
}

int num_threads() {
  if (g_threads == 0) set_num_threads(default_num_threads());
  return g_threads;
}

void set_num_threads(int n) {
  TESSERA_CHECK(n >= 1, "thread count must be at least 1, found ", n);
  g_threads = n;
  omp_set_num_threads(n);
}

}  // namespace tessera

#pragma once
// The main every benchmark binary shares: the libraries' environment
// (kernels/cpu/library_environment.h), the engine's thread count from TESSERA_THREADS (else
// every core), then Google Benchmark over the cases `register_cases` adds (BENCHMARK()
// macros register themselves).
#include <benchmark/benchmark.h>

#include <functional>

#include "core/threads.h"
#include "kernels/cpu/library_environment.h"

namespace tessera::bench {

inline int run_benchmarks(int argc, char** argv, const std::function<void()>& register_cases = {}) {
  kernels::cpu::set_library_environment(argv);
  set_num_threads(default_num_threads());
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  if (register_cases) register_cases();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace tessera::bench

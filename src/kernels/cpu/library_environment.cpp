#include "kernels/cpu/library_environment.h"

#include <cblas.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <utility>
#include <vector>

namespace tessera::kernels::cpu {

namespace {

bool same_name(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](char x, char y) { return std::tolower(static_cast<unsigned char>(x)) == std::tolower(y); });
}

template <size_t N>
bool is_one_of(std::string_view name, const std::array<std::string_view, N>& names) {
  return std::any_of(names.begin(), names.end(), [&](std::string_view n) { return same_name(name, n); });
}

// OpenBLAS 0.3's x86-64 cores whose SGEMM kernels use AVX-512, and those using AVX2 + FMA.
constexpr std::array<std::string_view, 3> kAvx512Cores = {"SkylakeX", "Cooperlake", "SapphireRapids"};
constexpr std::array<std::string_view, 2> kAvx2Cores = {"Haswell", "Zen"};

}  // namespace

CpuVectors cpu_vectors() {
  __builtin_cpu_init();
  CpuVectors cpu;
  cpu.avx2_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  cpu.avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
  return cpu;
}

std::string openblas_core() {
  const char* name = openblas_get_corename();
  return name ? name : "";
}

std::string better_openblas_core(std::string_view chosen, const CpuVectors& cpu) {
  if (is_one_of(chosen, kAvx512Cores)) return "";
  if (cpu.avx512) return "SkylakeX";
  if (is_one_of(chosen, kAvx2Cores)) return "";
  if (cpu.avx2_fma) return "Haswell";
  return "";
}

void set_library_environment(char** argv) {
  std::vector<std::pair<const char*, std::string>> defaults = {{"OPENBLAS_THREAD_TIMEOUT", "20"}};
  // The spin count belongs to the wait policy: a user's own policy keeps libgomp's spin.
  if (std::getenv("OMP_WAIT_POLICY") == nullptr) {
    defaults.emplace_back("OMP_WAIT_POLICY", "passive");
    defaults.emplace_back("GOMP_SPINCOUNT", "3000");
  }
  const std::string core = better_openblas_core(openblas_core(), cpu_vectors());
  if (!core.empty()) defaults.emplace_back("OPENBLAS_CORETYPE", core);
  bool changed = false;
  for (const auto& [name, value] : defaults) {
    if (std::getenv(name) != nullptr) continue;
    setenv(name, value.c_str(), 0);
    changed = true;
  }
  if (changed) execv("/proc/self/exe", argv);  // returns only on failure: then run on as loaded
}

}  // namespace tessera::kernels::cpu

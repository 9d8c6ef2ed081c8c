#include "core/allocator.h"

#include <sys/mman.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <vector>

#include "core/error.h"

namespace tessera {

namespace {

constexpr size_t kLarge = size_t{1} << 20;     // below: plain malloc
constexpr size_t kHugePage = size_t{2} << 20;  // x86-64 transparent huge page
// Free blocks kept beyond this are returned to the OS at once.
constexpr size_t kMaxCachedBytes = size_t{2} << 30;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kCache = false;
#else
constexpr bool kCache = true;
#endif

// Rounded so that slightly different sizes share blocks: to 256 KiB below 8 MiB, to whole
// huge pages above (at most 1/32 and 1/4 waste respectively).
size_t rounded_size(size_t bytes) {
  const size_t unit = bytes < (size_t{8} << 20) ? (size_t{256} << 10) : kHugePage;
  return (bytes + unit - 1) / unit * unit;
}

struct Cache {
  std::mutex mutex;
  std::map<size_t, std::vector<void*>> free_blocks;  // by rounded size
  HostAllocatorStats stats;
};

// Never destroyed: tensors held by static objects may be freed after exit begins.
Cache& cache() {
  static Cache* instance = new Cache;
  return *instance;
}

void* allocate_fresh(size_t bytes, size_t alignment) {
  void* p = std::aligned_alloc(alignment, (bytes + alignment - 1) / alignment * alignment);
  TESSERA_CHECK(p != nullptr, "out of memory allocating ", bytes, " bytes");
  if (bytes >= kHugePage) madvise(p, bytes, MADV_HUGEPAGE);  // a hint; ignored where unsupported
  return p;
}

}  // namespace

void* allocate_host(size_t bytes) {
  if (!kCache || bytes < kLarge) return allocate_fresh(bytes == 0 ? 64 : bytes, 64);
  const size_t size = rounded_size(bytes);
  Cache& c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    auto it = c.free_blocks.find(size);
    if (it != c.free_blocks.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      c.stats.cached_bytes -= size;
      ++c.stats.reuses;
      return p;
    }
    ++c.stats.fresh;
  }
  return allocate_fresh(size, size >= kHugePage ? kHugePage : 64);
}

void free_host(void* p, size_t bytes) {
  if (p == nullptr) return;
  if (!kCache || bytes < kLarge) {
    std::free(p);
    return;
  }
  const size_t size = rounded_size(bytes);
  Cache& c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    if (c.stats.cached_bytes + size <= kMaxCachedBytes) {
      c.free_blocks[size].push_back(p);
      c.stats.cached_bytes += size;
      return;
    }
  }
  std::free(p);
}

HostAllocatorStats host_allocator_stats() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  return c.stats;
}

void release_cached_host_memory() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  for (auto& [size, blocks] : c.free_blocks) {
    for (void* p : blocks) std::free(p);
  }
  c.free_blocks.clear();
  c.stats.cached_bytes = 0;
}

}  // namespace tessera

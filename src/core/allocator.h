#pragma once
// Host memory for tensor storage.
//
// Large blocks are kept after their tensor dies and handed to the next tensor of the same
// (rounded) size. A training step allocates the same sizes every step, and memory fresh
// from the OS costs a page fault per 4 KiB page: filling a fresh 32 MB buffer took ~5x as
// long as filling a reused one. Blocks of 2 MiB and more are also offered to the kernel
// for transparent huge pages. Small blocks go straight to malloc, which caches them well.
// Sanitizer builds bypass the cache so that use-after-free stays detectable.
#include <cstddef>
#include <cstdint>

namespace tessera {

// 64-byte aligned; never null (throws Error when memory runs out).
void* allocate_host(size_t bytes);
void free_host(void* p, size_t bytes);

struct HostAllocatorStats {
  size_t cached_bytes = 0;  // held for reuse, not in any tensor
  uint64_t reuses = 0;      // large allocations served from the cache
  uint64_t fresh = 0;       // large allocations that went to the OS
};
HostAllocatorStats host_allocator_stats();

// Returns every cached block to the OS.
void release_cached_host_memory();

// A kernel's scratch floats from the cache above, freed when it goes out of scope: a fresh
// buffer would cost a page fault per 4 KiB on every call.
class HostScratch {
 public:
  explicit HostScratch(int64_t floats)
      : bytes_(static_cast<size_t>(floats > 1 ? floats : 1) * sizeof(float)),
        data_(static_cast<float*>(allocate_host(bytes_))) {}
  ~HostScratch() { free_host(data_, bytes_); }
  HostScratch(const HostScratch&) = delete;
  HostScratch& operator=(const HostScratch&) = delete;
  float* get() const { return data_; }

 private:
  size_t bytes_;
  float* data_;
};

}  // namespace tessera

// Keeps the process's RSS close to the memory it uses. glibc's malloc keeps what is freed inside
// its heap for later allocations and returns only a free top of the heap by itself; a probe cycle
// that allocates and frees many small blocks (the consumer-lag probe at 100,000 partitions: about
// 100 MB a cycle) otherwise leaves the RSS at the peak of every cycle, 230 MB where 160 MB is in
// use. And it gives threads arenas of their own, up to 8 per core, each keeping its own freed
// fragments: librdkafka runs about 9 threads per client, and the lag probe one client per group.
#pragma once

#include <cstddef>

namespace cdcwatch {

inline constexpr size_t kReleaseFreedMemoryAbove = 16 * 1024 * 1024;

// When more than `threshold` bytes lie free in malloc's arenas, returns the free pages to the
// system (malloc_trim) and says so. Costs a walk of the arenas, a few milliseconds at most; a
// no-op returning false where malloc is not glibc's (sanitizer builds replace it).
bool release_freed_memory(size_t threshold = kReleaseFreedMemoryAbove);

inline constexpr int kMallocArenas = 2;

// Caps malloc's arenas at kMallocArenas, unless MALLOC_ARENA_MAX or GLIBC_TUNABLES sets them.
// Call first thing in main(), before any thread starts. At 100,000 partitions the lag probe's RSS
// after 15 cycles was 160-166 MB with glibc's default (16 arenas on 2 cores) and 132 MB with 2,
// for 3% more wall time a cycle (kafka_lag_bench). A no-op where malloc is not glibc's.
void limit_malloc_arenas();

}  // namespace cdcwatch

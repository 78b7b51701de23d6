// Gives memory the process freed back to the system. glibc's malloc keeps what is freed inside its
// heap for later allocations and returns only a free top of the heap by itself; a probe cycle that
// allocates and frees many small blocks (the consumer-lag probe at 100,000 partitions: about 100
// MB a cycle) otherwise leaves the RSS at the peak of every cycle, 230 MB where 160 MB is in use.
#pragma once

#include <cstddef>

namespace cdcwatch {

inline constexpr size_t kReleaseFreedMemoryAbove = 16 * 1024 * 1024;

// When more than `threshold` bytes lie free in malloc's arenas, returns the free pages to the
// system (malloc_trim) and says so. Costs a walk of the arenas, a few milliseconds at most; a
// no-op returning false where malloc is not glibc's (sanitizer builds replace it).
bool release_freed_memory(size_t threshold = kReleaseFreedMemoryAbove);

}  // namespace cdcwatch

#include "agent/core/freed_memory.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>

namespace cdcwatch {

bool release_freed_memory(size_t threshold) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  struct mallinfo2 info = mallinfo2();
  if (info.fordblks <= threshold) return false;
  malloc_trim(0);
  return true;
#else
  (void)threshold;
  return false;
#endif
}

void limit_malloc_arenas() {
#if defined(__GLIBC__)
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (std::getenv("MALLOC_ARENA_MAX") || (tunables && std::strstr(tunables, "arena_max"))) return;
  mallopt(M_ARENA_MAX, kMallocArenas);
#endif
}

}  // namespace cdcwatch

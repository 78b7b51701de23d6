#include "agent/core/freed_memory.h"

#include <malloc.h>

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

}  // namespace cdcwatch

#include <string>
#include <vector>

#include "agent/app/commands.h"
#include "agent/core/freed_memory.h"

int main(int argc, char** argv) {
  cdcwatch::limit_malloc_arenas();
  return cdcwatch::dispatch(std::vector<std::string>(argv + 1, argv + argc));
}

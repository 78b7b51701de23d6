#include <string>
#include <vector>

#include "agent/app/commands.h"

int main(int argc, char** argv) {
  return cdcwatch::dispatch(std::vector<std::string>(argv + 1, argv + argc));
}

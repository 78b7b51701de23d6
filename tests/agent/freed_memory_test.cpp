#include "agent/core/freed_memory.h"

#include <gtest/gtest.h>
#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace cdcwatch {
namespace {

double rss_mb() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1e6;
}

// A cycle's shape at scale: many small blocks, nearly all freed, a few kept throughout the heap
// so that its top cannot shrink by itself.
TEST(FreedMemory, MemoryFreedInsideTheHeapGoesBackToTheSystem) {
  constexpr size_t kBlocks = 400'000;
  std::vector<std::unique_ptr<char[]>> blocks(kBlocks);
  for (auto& block : blocks) {
    block.reset(new char[200]);
    for (size_t i = 0; i < 200; i += 64) block[i] = 1;  // touched: resident
  }
  for (size_t i = 0; i < kBlocks; ++i) {
    if (i % 128 != 0) blocks[i].reset();
  }
  double before = rss_mb();
  EXPECT_FALSE(release_freed_memory(size_t{1} << 40)) << "less than a terabyte lies free";
  EXPECT_GT(rss_mb(), before - 5) << "nothing released under the threshold";

  EXPECT_TRUE(release_freed_memory());
  double after = rss_mb();
  EXPECT_LT(after, before - 40) << "about 90 MB lay free: RSS went from " << before << " MB to "
                                << after << " MB";
  for (size_t i = 0; i < kBlocks; i += 128) EXPECT_EQ(blocks[i][0], 1) << "kept blocks intact";
}

// malloc_info lists one <heap nr="..."> per arena.
size_t arenas() {
  char* text = nullptr;
  size_t size = 0;
  FILE* out = open_memstream(&text, &size);
  malloc_info(0, out);
  std::fclose(out);
  std::string xml(text, size);
  std::free(text);
  size_t count = 0;
  for (size_t at = xml.find("<heap nr="); at != std::string::npos;
       at = xml.find("<heap nr=", at + 1)) {
    ++count;
  }
  return count;
}

TEST(FreedMemory, ThreadsShareAtMostTheCappedArenas) {
  limit_malloc_arenas();
  // Eight threads allocating at the same time: glibc would give them up to 16 arenas on 2 cores.
  constexpr int kThreads = 8;
  std::atomic<int> holding{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      std::vector<std::unique_ptr<char[]>> blocks;
      for (int i = 0; i < 1000; ++i) blocks.emplace_back(new char[512]);
      ++holding;
      while (holding < kThreads) std::this_thread::yield();  // all hold their blocks at once
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_LE(arenas(), static_cast<size_t>(kMallocArenas));
}

}  // namespace
}  // namespace cdcwatch

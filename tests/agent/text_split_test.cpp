// Splitting names and config lists (agent/core/text_split.h).
#include "agent/core/text_split.h"

#include <gtest/gtest.h>

namespace cdcwatch {
namespace {

using Parts = std::vector<std::string>;

TEST(TextSplit, EveryPartBetweenSeparatorsEmptyOnesIncluded) {
  EXPECT_EQ(split("ANALYTICS.PUBLIC.ORDERS", '.'), (Parts{"ANALYTICS", "PUBLIC", "ORDERS"}));
  EXPECT_EQ(split("orders", '.'), Parts{"orders"});
  EXPECT_EQ(split("a..b.", '.'), (Parts{"a", "", "b", ""}));
  EXPECT_EQ(split("", ','), Parts{""});
}

TEST(TextSplit, AConfigListIsTrimmedAndSkipsEmptyItems) {
  EXPECT_EQ(split_list("shop.public.orders, shop.public.users ,\tx"),
            (Parts{"shop.public.orders", "shop.public.users", "x"}));
  EXPECT_EQ(split_list(" , ,"), Parts{});
  EXPECT_EQ(split_list("orders:ORDERS,users:USERS"), (Parts{"orders:ORDERS", "users:USERS"}));
}

}  // namespace
}  // namespace cdcwatch

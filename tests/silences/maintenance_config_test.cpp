// `maintenance:` in a whole config file, through `cdcwatch check-config`: valid windows show in the
// effective config; a bad one exits 1 naming file:line and the fix.
#include <gtest/gtest.h>

#include "tests/support/child_process.h"

namespace cdcwatch {
namespace {

using testing::run_process;

TEST(MaintenanceConfig, CheckConfigShowsTheWindows) {
  testing::TempDir dir;
  std::string config = dir.write("c.yml", R"(maintenance:
  - name: nightly-vacuum
    match: pipeline=orders,hop=source
    schedule: "0 2 * * *"
    duration: 45m
    timezone: Europe/Berlin
  - name: warehouse-upgrade
    match: hop=warehouse
    start: 2026-12-05T08:00:00+01:00
    end: 2026-12-05T12:00:00+01:00
)");
  auto result = run_process({CDCWATCH_BINARY, "check-config", config});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("timezone: Europe/Berlin"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("start: 2026-12-05T07:00:00.000Z"), std::string::npos) << result.out;
}

TEST(MaintenanceConfig, ABadWindowExits1WithFileLineAndTheFix) {
  testing::TempDir dir;
  std::string config = dir.write("c.yml", R"(maintenance:
  - name: nightly-vacuum
    match: pipeline=orders
    schedule: "0 2 * * *"
    duration: 45m
    timezone: Europe/Berln
)");
  auto result = run_process({CDCWATCH_BINARY, "check-config", config});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find(config + ":6:15 (maintenance[0].timezone): unknown time zone "
                                     "'Europe/Berln'"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("write an IANA name such as Europe/Berlin"), std::string::npos);
}

}  // namespace
}  // namespace cdcwatch

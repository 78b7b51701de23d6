// The probe's one statement per cycle, built for the server's major version (13 to 18): every
// version returns the same columns, and a column the version lacks is selected as a typed NULL,
// so decoding (slot_row.h) never depends on the version and a missing value reads as absent.
#pragma once

#include <optional>
#include <string>

namespace cdcwatch {

inline constexpr int kOldestSupportedVersion = 130000;
inline constexpr int kNewestKnownVersion = 189999;

struct SlotQuery {
  int server_version_num = 0;
  // Which column set is read, for /status: "13", "14-15", "16", "17" or "18".
  std::string path;
  std::string sql;  // $1: the slot filter as a text[] literal ({} for every logical slot)
};

// nullopt for a version older than 13 (pg_replication_slots has no wal_status there).
// Versions newer than 18 are read with 18's columns.
std::optional<SlotQuery> build_slot_query(int server_version_num);

}  // namespace cdcwatch

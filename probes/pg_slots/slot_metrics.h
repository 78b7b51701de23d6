// The slot probe's metrics (labels source and slot unless said), for the probe and for any stage
// that reads its series from the readings store. Meanings in README.md.
#pragma once

#include "agent/core/readings.h"

namespace cdcwatch::slot_metrics {

inline const MetricDef kUp{"cdcwatch_pg_up",
                           "1 when the source answered the slot query, 0 when not"};
inline const MetricDef kInRecovery{"cdcwatch_pg_in_recovery", "1 when the source is a standby"};
inline const MetricDef kWalLsn{
    "cdcwatch_pg_wal_lsn_bytes",
    "The server's current WAL position (receive position on a standby), in bytes"};
inline const MetricDef kOldestTransactionAge{
    "cdcwatch_pg_oldest_transaction_age_seconds",
    "Age of the oldest open transaction of a client session on the source; 0 when none is open"};
inline const MetricDef kActive{
    "cdcwatch_pg_slot_active",
    "1 while a replication connection holds the slot (labels plugin, database)"};
inline const MetricDef kInactiveSeconds{
    "cdcwatch_pg_slot_inactive_seconds",
    "Seconds the slot has had no consumer (inactive_since on 17+); 0 while active"};
inline const MetricDef kRetained{"cdcwatch_pg_slot_retained_wal_bytes",
                                 "WAL the slot holds back: current LSN - restart_lsn"};
inline const MetricDef kRetainedByCause{
    "cdcwatch_pg_slot_retained_wal_by_cause_bytes",
    "The slot's retained WAL, labelled with the current cause of its growth (label cause)"};
inline const MetricDef kFlushLagBytes{
    "cdcwatch_pg_slot_confirmed_flush_lag_bytes",
    "Current LSN - confirmed_flush_lsn: WAL the consumer has not confirmed"};
inline const MetricDef kFlushLagSeconds{
    "cdcwatch_pg_slot_confirmed_flush_lag_seconds",
    "How long ago the server's WAL position was where the slot's confirmed flush is now"};
inline const MetricDef kSafeWalSize{
    "cdcwatch_pg_slot_safe_wal_size_bytes",
    "WAL that can still be written before the slot is at risk (absent when unlimited)"};
inline const MetricDef kWalStatus{
    "cdcwatch_pg_slot_wal_status",
    "1 on the slot's current wal_status: reserved, extended, unreserved or lost"};
inline const MetricDef kCatalogXminAge{"cdcwatch_pg_slot_catalog_xmin_age",
                                       "Transactions the slot's catalog_xmin holds back vacuum"};
inline const MetricDef kGrowth{
    "cdcwatch_pg_slot_retained_wal_growth_bytes_per_second",
    "Growth of retained WAL over the sliding window (least-squares slope)"};
inline const MetricDef kExhaustion{"cdcwatch_pg_slot_wal_exhaustion_seconds",
                                   "At the current growth, seconds until safe_wal_size reaches "
                                   "zero or wal_budget is used; absent when not growing"};
inline const MetricDef kExhaustionByCause{
    "cdcwatch_pg_slot_wal_exhaustion_by_cause_seconds",
    "The slot's wal_exhaustion_seconds, labelled with the current cause of its growth (label "
    "cause)"};
inline const MetricDef kGrowthCause{
    "cdcwatch_pg_slot_wal_growth_cause",
    "1 on the current cause of retained WAL growth (label cause: consumer_down, "
    "consumer_behind, long_transaction, idle_database, large_transactions, none), 0 on others"};
inline const MetricDef kSpilledBytes{"cdcwatch_pg_slot_spilled_bytes_total",
                                     "Decoded data spilled to disk (spill_bytes; 14+)",
                                     MetricType::kCounter};
inline const MetricDef kSpilledTransactions{"cdcwatch_pg_slot_spilled_transactions_total",
                                            "Transactions spilled to disk (spill_txns; 14+)",
                                            MetricType::kCounter};
inline const MetricDef kStreamedBytes{"cdcwatch_pg_slot_streamed_bytes_total",
                                      "In-progress transaction data streamed (stream_bytes; 14+)",
                                      MetricType::kCounter};
inline const MetricDef kDecodedBytes{"cdcwatch_pg_slot_decoded_bytes_total",
                                     "Decoded data sent to the output plugin (total_bytes; 14+)",
                                     MetricType::kCounter};
inline const MetricDef kWalsenderLag{
    "cdcwatch_pg_walsender_lag_seconds",
    "pg_stat_replication's write_lag, flush_lag and replay_lag of the slot's walsender (label "
    "kind); absent when NULL"};
inline const MetricDef kWalsenderState{
    "cdcwatch_pg_walsender_state",
    "1 on the state of the slot's walsender (startup, catchup, streaming, backup, stopping)"};
inline const MetricDef kConflicting{
    "cdcwatch_pg_slot_conflicting",
    "1 when the logical slot conflicted with recovery and is invalidated (16+)"};
inline const MetricDef kInvalidated{
    "cdcwatch_pg_slot_invalidated",
    "1 with the reason when the slot is invalidated (invalidation_reason on 17+; wal_removed for "
    "wal_status lost, conflict for conflicting before 17); 0 with reason none"};
inline const MetricDef kFailover{"cdcwatch_pg_slot_failover",
                                 "1 when the slot is synchronised to standbys (17+)"};
inline const MetricDef kSynced{"cdcwatch_pg_slot_synced",
                               "1 on a standby's slot synchronised from the primary (17+)"};
inline const MetricDef kUnreadWal{
    "cdcwatch_pg_slot_unread_wal_bytes",
    "Bytes of WAL whose changes the slot's consumer never read (labels from_lsn, to_lsn, "
    "cause); reported for a day after the slot was recreated or moved backwards"};

}  // namespace cdcwatch::slot_metrics

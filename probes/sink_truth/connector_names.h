// How the Snowflake Kafka connector names what it creates in Snowflake, by version (read in
// snowflakedb/snowflake-kafka-connector at the tags named; see README.md for the whole table):
//  - Snowpipe Streaming channels, one per topic partition:
//      2.1.0-2.1.1: <connector>_<topic>_<partition>
//      2.1.2-3.x:   <topic>_<partition> (SnowflakeSinkServiceV2.partitionChannelKey, v3.5.4),
//                   or the 2.1.0 form with snowflake.streaming.channel.name.include.connector.name
//      4.x:         <connector>_<topic>_<partition> (PartitionChannelManager.makeChannelName)
//    Snowflake shows channel names upper-cased; the connector's own tests compare them
//    case-insensitively (TestUtils.getOffsetTokenForChannelAndTable, v3.5.4).
//  - File-based Snowpipe (1.x-3.x): one pipe per table and partition,
//      SNOWFLAKE_KAFKA_CONNECTOR_<connector>_PIPE_<table>_<partition> (Utils.pipeName, v2.5.0),
//    loading staged files <connector>/<table>/<partition>/<start>_<end>_<time>.json.gz
//    (FileNameUtils.fileName: the offset range loaded is in the name).
//  - The table of a topic: snowflake.topic2table.map (exact, then as a regex), else the topic when
//    it is a valid identifier, else the topic with invalid characters replaced by '_' and
//    '_<abs(Java hashCode)>' appended (Utils.generateValidName, v2.5.0).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cdcwatch {

using TopicPartitionKey = std::pair<std::string, int32_t>;

// snowflake.topic2table.map ("topic:table,topic2:table2"), in order; malformed pairs are skipped.
std::vector<std::pair<std::string, std::string>> parse_topic2table(const std::string& text);

// The table the connector writes `topic` to.
std::string table_for_topic(const std::string& topic,
                            const std::vector<std::pair<std::string, std::string>>& topic2table);

// The pipe (unqualified) the file-based connector loads `table`'s `partition` through.
std::string snowpipe_pipe_name(const std::string& connector, const std::string& table,
                               int32_t partition);

// The topic and partition a channel serves, in any version's naming, among `topics` (the real,
// case-sensitive topic names); nullopt for a channel of another connector or topic.
std::optional<TopicPartitionKey> channel_partition(const std::string& channel,
                                                   const std::string& connector,
                                                   const std::vector<std::string>& topics);

}  // namespace cdcwatch

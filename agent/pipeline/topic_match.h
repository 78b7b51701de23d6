// Which topics a Debezium source writes and whether a sink connector reads them, from their
// connector configs alone.
// - Debezium names a table's topic <topic.prefix>.<schema>.<table> (`database.server.name` before
//   2.0); `table.include.list` holds regular expressions matched against <schema>.<table>, and
//   `schema.include.list` (used when there is no table list) against <schema>.
//   https://debezium.io/documentation/reference/stable/connectors/postgresql.html#postgresql-topic-names
// - A sink reads `topics` (a comma-separated list) or `topics.regex` (a Java regular expression).
//   https://kafka.apache.org/documentation/#sinkconnectconfigs
#pragma once

#include <string>
#include <vector>

#include "agent/pipeline/connector_catalog.h"

namespace cdcwatch {

// The source's topics as globs ("shop.public.orders", or "shop.*" without an include list).
std::vector<std::string> source_topics(const ConnectorInfo& source);

// True when the sink reads a topic one of `globs` covers. A `topics.regex` is compared with a
// glob by their literal beginnings ("shop\.public\..*" and "shop.*" share "shop."), and matched
// in full against a glob without wildcards; an invalid regex matches nothing.
bool sink_reads(const ConnectorInfo& sink, const std::vector<std::string>& globs);

// The warehouse tables a Snowflake sink loads those topics into, from its
// `snowflake.topic2table.map` ("topic:TABLE,...") as DATABASE.SCHEMA.TABLE; empty without a map.
std::vector<std::string> sink_tables(const ConnectorInfo& sink,
                                     const std::vector<std::string>& globs);

}  // namespace cdcwatch

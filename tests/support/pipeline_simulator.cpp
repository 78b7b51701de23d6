#include "tests/support/pipeline_simulator.h"

#include <libpq-fe.h>
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <ctime>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <vector>

namespace cdcwatch::testing {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

const std::vector<std::string> kTables = {"customers", "products", "orders", "line_items",
                                          "cdcwatch_canary"};

const char* kSourceSchema = R"(
CREATE TABLE customers (id bigserial PRIMARY KEY, name text NOT NULL, email text, updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE products (id bigserial PRIMARY KEY, name text NOT NULL, price numeric(10,2) NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint NOT NULL, status text NOT NULL, total numeric(10,2) NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE line_items (id bigserial PRIMARY KEY, order_id bigint NOT NULL, product_id bigint NOT NULL, quantity int NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE cdcwatch_canary (agent_id text PRIMARY KEY, seq bigint NOT NULL, written_at timestamptz NOT NULL);
INSERT INTO customers (name, email) SELECT 'customer ' || g, 'c' || g || '@example.com' FROM generate_series(1, 50) g;
INSERT INTO products (name, price) SELECT 'product ' || g, g * 1.5 FROM generate_series(1, 20) g;
)";

// The warehouse copy, as a sink with schema evolution would create it.
const char* kWarehouseSchema = R"(
CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL, email text, updated_at timestamptz NOT NULL);
CREATE TABLE products (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2) NOT NULL, updated_at timestamptz NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, status text NOT NULL, total numeric(10,2) NOT NULL, updated_at timestamptz NOT NULL);
CREATE TABLE line_items (id bigint PRIMARY KEY, order_id bigint NOT NULL, product_id bigint NOT NULL, quantity int NOT NULL, updated_at timestamptz NOT NULL);
CREATE TABLE cdcwatch_canary (agent_id text PRIMARY KEY, seq bigint NOT NULL, written_at timestamptz NOT NULL);
)";

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A libpq connection that reconnects after a failure (a restarted server).
class Db {
 public:
  explicit Db(std::string dsn) : dsn_(std::move(dsn)) {}
  ~Db() { close(); }
  // Rows of text cells (empty on failure); `ok` says whether the statement succeeded.
  std::vector<std::vector<std::optional<std::string>>> exec(const std::string& sql,
                                                            bool* ok = nullptr) {
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
      close();
      conn_ = PQconnectdb(dsn_.c_str());
    }
    PGresult* res = PQexec(conn_, sql.c_str());
    ExecStatusType status = PQresultStatus(res);
    bool good = status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK;
    if (ok) *ok = good;
    std::vector<std::vector<std::optional<std::string>>> rows;
    for (int r = 0; good && r < PQntuples(res); ++r) {
      auto& row = rows.emplace_back();
      for (int c = 0; c < PQnfields(res); ++c) {
        row.push_back(PQgetisnull(res, r, c) ? std::nullopt
                                             : std::optional<std::string>(PQgetvalue(res, r, c)));
      }
    }
    PQclear(res);
    if (!good && PQstatus(conn_) != CONNECTION_OK) close();
    return rows;
  }
  std::string literal(const std::string& text) {
    if (!conn_) exec("SELECT 1");
    if (!conn_) return "NULL";
    char* quoted = PQescapeLiteral(conn_, text.data(), text.size());
    std::string out = quoted ? quoted : "NULL";
    PQfreemem(quoted);
    return out;
  }

 private:
  void close() {
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
  }
  std::string dsn_;
  PGconn* conn_ = nullptr;
};

// test_decoding renders timestamptz as "2026-11-25 23:10:00.123456+00"; Debezium's
// ZonedTimestamp is ISO-8601: "2026-11-25T23:10:00.123456Z".
std::string zoned_timestamp(std::string value) {
  if (value.size() > 10 && value[10] == ' ') value[10] = 'T';
  if (value.size() > 3 && value.compare(value.size() - 3, 3, "+00") == 0)
    return value.substr(0, value.size() - 3) + "Z";
  if (value.size() > 3 && (value[value.size() - 3] == '+' || value[value.size() - 3] == '-'))
    value += ":00";
  return value;
}

Json typed(const std::string& type, const std::optional<std::string>& value) {
  if (!value) return nullptr;
  if (type == "integer" || type == "bigint" || type == "smallint") return std::stoll(*value);
  if (type == "boolean") return *value == "true";
  if (type == "timestamp with time zone") return zoned_timestamp(*value);
  return *value;  // text, and numeric as decimal.handling.mode=string renders it
}

struct Change {
  std::string table, op;  // op: c, u, d
  std::vector<std::pair<std::string, Json>> columns;
  AvroChangeEvents::Columns column_types;
  int64_t lsn = 0;
};

// "table public.orders: INSERT: id[bigint]:1 status[text]:'new' ..." -> Change.
std::optional<Change> parse_change(const std::string& line, int64_t lsn) {
  if (line.rfind("table public.", 0) != 0) return std::nullopt;
  size_t colon = line.find(": ", 13);
  if (colon == std::string::npos) return std::nullopt;
  Change change{line.substr(13, colon - 13), "", {}, {}, lsn};
  size_t op_end = line.find(':', colon + 2);
  std::string op = line.substr(colon + 2, op_end - colon - 2);
  change.op = op == "INSERT" ? "c" : op == "UPDATE" ? "u" : op == "DELETE" ? "d" : "";
  if (change.op.empty()) return std::nullopt;
  size_t at = op_end + 1;
  while (at < line.size()) {
    while (at < line.size() && line[at] == ' ') ++at;
    size_t open = line.find('[', at), close = line.find("]:", open);
    if (open == std::string::npos || close == std::string::npos) break;
    std::string name = line.substr(at, open - at), type = line.substr(open + 1, close - open - 1);
    at = close + 2;
    std::optional<std::string> value;
    if (line[at] == '\'') {
      std::string text;
      for (++at; at < line.size(); ++at) {
        if (line[at] == '\'' && at + 1 < line.size() && line[at + 1] == '\'') {
          text += '\'';
          ++at;
        } else if (line[at] == '\'') {
          ++at;
          break;
        } else {
          text += line[at];
        }
      }
      value = text;
    } else {
      size_t end = line.find(' ', at);
      std::string token = line.substr(at, end == std::string::npos ? std::string::npos : end - at);
      at = end == std::string::npos ? line.size() : end;
      if (token != "null") value = token;
    }
    change.columns.emplace_back(name, typed(type, value));
    change.column_types.emplace_back(name, type);
  }
  return change;
}

// "2026-11-25T23:10:00.123456Z" -> unix seconds. Not the agent's parse_iso8601 on purpose: this
// is the ground truth canary_error_bench measures the agent against.
double parse_iso_seconds(const std::string& text) {
  std::tm tm{};
  strptime(text.substr(0, 19).c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  double fraction = text.size() > 20 && text[19] == '.'
                        ? std::stod("0" + text.substr(19, text.find_first_of("Z+-", 19) - 19))
                        : 0;
  return static_cast<double>(timegm(&tm)) + fraction;
}

int64_t parse_lsn(const std::string& text) {
  auto slash = text.find('/');
  return static_cast<int64_t>((std::stoull(text.substr(0, slash), nullptr, 16) << 32) |
                              std::stoull(text.substr(slash + 1), nullptr, 16));
}

}  // namespace

PipelineSimulator::PipelineSimulator(Options options) : options_(options) {
  pg_.exec("CREATE DATABASE shop");
  pg_.exec("CREATE DATABASE analytics");
  pg_.exec(kSourceSchema, "shop");
  pg_.exec(kWarehouseSchema, "analytics");
  pg_.exec("SELECT pg_create_logical_replication_slot('debezium', 'test_decoding')", "shop");
  for (const auto& table : kTables)
    kafka_.create_topic("shop.public." + table, options_.partitions);
  kafka_.create_topic("connect-offsets", 1);
  connect_.put(
      "shop-source",
      {.type = "source",
       .config = {{"connector.class", "io.debezium.connector.postgresql.PostgresConnector"},
                  {"slot.name", "debezium"},
                  {"database.hostname", "127.0.0.1"},
                  {"database.port", std::to_string(pg_.port())},
                  {"database.dbname", "shop"},
                  {"topic.prefix", "shop"}}});
  connect_.put("warehouse-sink",
               {.type = "sink", .config = {{"topics.regex", "shop\\.public\\..*"}}});
  connect_.start();
  if (options_.avro) {
    registry_ = std::make_unique<SchemaRegistryServer>();
    registry_->start();
    avro_ = std::make_unique<AvroChangeEvents>(registry_->url());
  }
  capture_ = std::thread([this] { capture_loop(); });
  sink_ = std::thread([this] { sink_loop(); });
  workload_ = std::thread([this] { workload_loop(); });
}

PipelineSimulator::~PipelineSimulator() {
  stopping_ = true;
  for (auto* thread : {&capture_, &sink_, &workload_}) {
    if (thread->joinable()) thread->join();
  }
}

void PipelineSimulator::set_fault(Fault fault, bool on) {
  switch (fault) {
    case Fault::kSinkStalled:
      sink_stalled_ = on;
      break;
    case Fault::kCaptureStopped:
      capture_stopped_ = on;
      break;
    case Fault::kSinkTaskFailed:
      sink_failed_ = on;
      connect_.set_task_states("warehouse-sink", {on ? "FAILED" : "RUNNING"});
      break;
    case Fault::kBrokersDown:
      brokers_down_ = on;
      for (int broker = 1; broker <= 3; ++broker) kafka_.set_broker_down(broker, on);
      break;
    case Fault::kWarehouseSlow:
      warehouse_slow_ = on;
      break;
    case Fault::kSinkCommitsInvisible:
      sink_commits_invisible_ = on;
      break;
  }
}

bool PipelineSimulator::fault_on(Fault fault) const {
  switch (fault) {
    case Fault::kSinkStalled:
      return sink_stalled_;
    case Fault::kCaptureStopped:
      return capture_stopped_;
    case Fault::kSinkTaskFailed:
      return sink_failed_;
    case Fault::kBrokersDown:
      return brokers_down_;
    case Fault::kWarehouseSlow:
      return warehouse_slow_;
    case Fault::kSinkCommitsInvisible:
      return sink_commits_invisible_;
  }
  return false;
}

std::vector<uint32_t> PipelineSimulator::canary_schema_ids() const {
  return registry_ ? registry_->registered("shop.public.cdcwatch_canary-value")
                   : std::vector<uint32_t>{};
}

void PipelineSimulator::add_canary_column() {
  for (const char* db : {"analytics", "shop"})
    pg_.exec("ALTER TABLE cdcwatch_canary ADD COLUMN region text DEFAULT 'eu'", db);
}

void PipelineSimulator::restart_postgres() {
  postgres_restarting_ = true;
  pg_.restart();
  postgres_restarting_ = false;
}

void PipelineSimulator::capture_loop() {
  Db db(pg_.dsn("shop"));
  int64_t last_lsn = 0;
  while (!stopping_) {
    std::this_thread::sleep_for(100ms);
    if (capture_stopped_ || brokers_down_ || postgres_restarting_) continue;
    bool ok = false;
    auto rows = db.exec(
        "SELECT lsn::text, xid::text, data FROM pg_logical_slot_get_changes('debezium', NULL, "
        "5000, "
        "'include-timestamp', 'on')",
        &ok);
    if (!ok) continue;
    std::vector<Change> pending;
    for (const auto& row : rows) {
      if (!row[0] || !row[2]) continue;
      const std::string& data = *row[2];
      int64_t lsn = parse_lsn(*row[0]);
      if (data.rfind("BEGIN", 0) == 0) {
        pending.clear();
      } else if (data.rfind("COMMIT", 0) == 0) {
        int64_t commit_ms = now_ms();
        std::string txid = row[1].value_or("0");
        for (const auto& change : pending) {
          Json values = Json::object();
          for (const auto& [name, value] : change.columns) values[name] = value;
          Json key = {{change.columns.front().first, change.columns.front().second}};
          Json event = {{"before", change.op == "d" ? values : Json(nullptr)},
                        {"after", change.op == "d" ? Json(nullptr) : values},
                        {"source",
                         {{"version", "simulator"},
                          {"connector", "postgresql"},
                          {"name", "shop"},
                          {"ts_ms", commit_ms},
                          {"db", "shop"},
                          {"schema", "public"},
                          {"table", change.table},
                          {"txId", std::stoll(txid)},
                          {"lsn", change.lsn}}},
                        {"op", change.op},
                        {"ts_ms", now_ms()}};
          int partition =
              static_cast<int>(std::hash<std::string>{}(key.dump()) % options_.partitions);
          try {
            int64_t produced_ms = now_ms();
            std::string topic = "shop.public." + change.table;
            kafka_.produce(topic, partition, key.dump(),
                           avro_ ? avro_->encode(topic, change.column_types, event) : event.dump(),
                           produced_ms);
            ++captured_;
            if (change.table == "cdcwatch_canary" && change.op != "d") {
              std::lock_guard lock(arrivals_mutex_);
              auto& arrival =
                  arrivals_[{values["agent_id"].get<std::string>(), values["seq"].get<int64_t>()}];
              arrival = {values["agent_id"].get<std::string>(), values["seq"].get<int64_t>(),
                         parse_iso_seconds(values["written_at"].get<std::string>()),
                         produced_ms / 1000.0, 0};
            }
          } catch (const std::exception&) {
          }
        }
        pending.clear();
        last_lsn = lsn;
        Json offset = {{"lsn", last_lsn}, {"txId", std::stoll(txid)}, {"ts_usec", now_ms() * 1000}};
        try {
          kafka_.produce("connect-offsets", 0, R"(["shop-source",{"server":"shop"}])",
                         offset.dump());
        } catch (const std::exception&) {
        }
        connect_.set_offsets(
            "shop-source",
            Json::array({{{"partition", {{"server", "shop"}}}, {"offset", offset}}}));
      } else if (auto change = parse_change(data, lsn)) {
        pending.push_back(std::move(*change));
      }
    }
  }
}

void PipelineSimulator::sink_loop() {
  Db warehouse(pg_.dsn("analytics"));
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (auto [key, value] :
       std::vector<std::pair<const char*, std::string>>{{"bootstrap.servers", kafka_.bootstrap()},
                                                        {"group.id", "connect-warehouse-sink"},
                                                        {"enable.auto.commit", "false"},
                                                        {"auto.offset.reset", "earliest"},
                                                        {"log_level", "3"}}) {
    rd_kafka_conf_set(conf, key, value.c_str(), error, sizeof error);
  }
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
  if (!consumer) throw std::runtime_error(std::string("simulator sink: ") + error);
  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(16);
  for (const auto& table : kTables) {
    for (int p = 0; p < options_.partitions; ++p) {
      rd_kafka_topic_partition_list_add(assignment, ("shop.public." + table).c_str(), p)->offset =
          RD_KAFKA_OFFSET_STORED;
    }
  }
  rd_kafka_assign(consumer, assignment);
  while (!stopping_) {
    if (sink_stalled_ || sink_failed_ || brokers_down_ || postgres_restarting_) {
      std::this_thread::sleep_for(100ms);
      continue;
    }
    int batch = 0;
    for (rd_kafka_message_t* message;
         batch < 500 && (message = rd_kafka_consumer_poll(consumer, batch ? 0 : 200));) {
      if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR && message->payload &&
          sink_commits_invisible_) {
        ++batch;
      } else if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR && message->payload) {
        std::string topic = rd_kafka_topic_name(message->rkt);
        std::string table = topic.substr(topic.rfind('.') + 1);
        std::string_view value(static_cast<const char*>(message->payload), message->len);
        Json event =
            avro_ ? avro_->decode(value).value_or(Json()) : Json::parse(value, nullptr, false);
        if (event.is_object()) {
          const Json& row = event["op"] == "d" ? event["before"] : event["after"];
          std::string names, values, updates, key_name, key_value;
          for (const auto& [name, value] : row.items()) {
            std::string literal =
                value.is_null() ? "NULL"
                                : warehouse.literal(value.is_string() ? value.get<std::string>()
                                                                      : value.dump());
            if (key_name.empty()) {
              key_name = name;
              key_value = literal;
            }
            names += (names.empty() ? "" : ", ") + name;
            values += (values.empty() ? "" : ", ") + literal;
            updates += (updates.empty() ? "" : ", ") + name + " = EXCLUDED." + name;
          }
          if (event["op"] == "d") {
            warehouse.exec("DELETE FROM " + table + " WHERE " + key_name + " = " + key_value);
          } else {
            bool merged = false;
            warehouse.exec("INSERT INTO " + table + " (" + names + ") VALUES (" + values +
                               ") ON CONFLICT (" + key_name + ") DO UPDATE SET " + updates,
                           &merged);
            if (merged && table == "cdcwatch_canary") {
              std::lock_guard lock(arrivals_mutex_);
              auto it =
                  arrivals_.find({row["agent_id"].get<std::string>(), row["seq"].get<int64_t>()});
              if (it != arrivals_.end()) it->second.reached_warehouse = now_ms() / 1000.0;
            }
          }
          ++loaded_;
        }
        {
          // The row is visible: the channel's offset token moves to its offset, as the
          // connector's insertRows(..., offsetToken) does once Snowflake has committed them.
          std::lock_guard lock(channels_mutex_);
          channel_tokens_[{topic, message->partition}] = message->offset;
        }
        ++batch;
      }
      rd_kafka_message_destroy(message);
    }
    if (batch == 0) continue;
    if (warehouse_slow_)
      std::this_thread::sleep_for(15s);  // slower than the drills' 10 s canary threshold
    commit_sink_offsets(consumer);
    rd_kafka_topic_partition_list_t* positions = nullptr;
    rd_kafka_assignment(consumer, &positions);
    rd_kafka_position(consumer, positions);
    Json offsets = Json::array();
    for (int i = 0; i < positions->cnt; ++i) {
      if (positions->elems[i].offset < 0) continue;
      offsets.push_back({{"partition",
                          {{"kafka_topic", positions->elems[i].topic},
                           {"kafka_partition", positions->elems[i].partition}}},
                         {"offset", {{"kafka_offset", positions->elems[i].offset}}}});
    }
    rd_kafka_topic_partition_list_destroy(positions);
    connect_.set_offsets("warehouse-sink", offsets);
  }
  rd_kafka_topic_partition_list_destroy(assignment);
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
}

// Kafka Connect commits the consumer's positions (the next offsets); with sink_commits_token
// the sink commits its channels' tokens instead, one behind (snowflake-kafka-connector #921).
void PipelineSimulator::commit_sink_offsets(rd_kafka_t* consumer) {
  if (!options_.sink_commits_token || sink_commits_invisible_) {
    rd_kafka_commit(consumer, nullptr, 0);
    return;
  }
  rd_kafka_topic_partition_list_t* tokens = rd_kafka_topic_partition_list_new(16);
  {
    std::lock_guard lock(channels_mutex_);
    for (const auto& [partition, token] : channel_tokens_) {
      rd_kafka_topic_partition_list_add(tokens, partition.first.c_str(), partition.second)->offset =
          token;
    }
  }
  if (tokens->cnt > 0) rd_kafka_commit(consumer, tokens, 0);
  rd_kafka_topic_partition_list_destroy(tokens);
}

std::vector<SinkChannel> PipelineSimulator::sink_channels() const {
  std::lock_guard lock(channels_mutex_);
  std::vector<SinkChannel> out;
  for (const auto& [partition, token] : channel_tokens_)
    out.push_back({partition.first, partition.second, token});
  return out;
}

std::vector<CanaryArrival> PipelineSimulator::canary_arrivals() const {
  std::lock_guard lock(arrivals_mutex_);
  std::vector<CanaryArrival> out;
  for (const auto& [key, arrival] : arrivals_) out.push_back(arrival);
  return out;
}

void PipelineSimulator::workload_loop() {
  Db db(pg_.dsn("shop"));
  std::mt19937 random(42);
  auto period = std::chrono::microseconds(
      static_cast<int64_t>(1e6 / std::max(0.1, options_.orders_per_second)));
  for (int64_t n = 0; !stopping_; ++n) {
    std::this_thread::sleep_for(period);
    if (postgres_restarting_) continue;
    std::string customer = std::to_string(1 + random() % 50),
                product = std::to_string(1 + random() % 20);
    db.exec("WITH o AS (INSERT INTO orders (customer_id, status, total) VALUES (" + customer +
            ", 'new', " + std::to_string(5 + random() % 200) +
            ".50) RETURNING id) INSERT INTO line_items (order_id, product_id, quantity) "
            "SELECT id, " +
            product + ", " + std::to_string(1 + random() % 4) + " FROM o");
    if (n % 3 == 0) {
      db.exec(
          "UPDATE orders SET status = 'paid', updated_at = now() WHERE id = (SELECT max(id) - 1 "
          "FROM orders)");
    }
  }
}

}  // namespace cdcwatch::testing

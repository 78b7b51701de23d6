#include "tests/support/snowflake_server.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

namespace cdcwatch::testing {
namespace {

using Json = nlohmann::json;

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(length));
  BIO_free(bio);
  return out;
}

std::string base64url_decode(std::string text) {
  std::replace(text.begin(), text.end(), '-', '+');
  std::replace(text.begin(), text.end(), '_', '/');
  while (text.size() % 4) text += '=';
  std::string out(text.size() / 4 * 3, '\0');
  int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                               reinterpret_cast<const unsigned char*>(text.data()),
                               static_cast<int>(text.size()));
  if (length < 0) return "";
  size_t padding = static_cast<size_t>(std::count(text.end() - 2, text.end(), '='));
  out.resize(static_cast<size_t>(length) - padding);
  return out;
}

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

std::shared_ptr<EVP_PKEY> public_key(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!key) throw std::runtime_error("snowflake test server: bad public key");
  return {key, EVP_PKEY_free};
}

std::string fingerprint(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int length = i2d_PUBKEY(key, &der);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(der, static_cast<size_t>(length), digest);
  OPENSSL_free(der);
  std::string out(4 * ((sizeof digest + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), digest, sizeof digest);
  return "SHA256:" + out;
}

TestReply json_reply(int status, const Json& body) {
  return {status, body.dump(), "application/json", {}, {}};
}

}  // namespace

RsaKeyPair generate_rsa_key_pair() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  if (!key) throw std::runtime_error("cannot generate an RSA key");
  BIO* priv = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(pub, key);
  EVP_PKEY_free(key);
  return {bio_text(priv), bio_text(pub)};
}

SnowflakeServer::SnowflakeServer(std::string public_pem, std::string account, std::string user,
                                 std::string table)
    : public_pem_(std::move(public_pem)),
      account_(upper(std::move(account))),
      user_(upper(std::move(user))),
      table_(std::move(table)) {
  server_.on("POST", "/api/v2/statements",
             [this](const RecordedRequest& r) { return counted(handle_post(r)); });
  server_.on("GET", "/api/v2/statements/([^/]+)", [this](const RecordedRequest& r) {
    return counted(handle_get(r, r.path.substr(std::string("/api/v2/statements/").size())));
  });
}

void SnowflakeServer::set_row(const std::string& agent_id, int64_t seq, int64_t written_at_ms) {
  std::lock_guard lock(mutex_);
  rows_[agent_id] = {seq, written_at_ms};
}

void SnowflakeServer::on_statement(StatementHandler handler) {
  std::lock_guard lock(mutex_);
  handler_ = std::move(handler);
}

std::vector<std::string> SnowflakeServer::statements() const {
  std::lock_guard lock(mutex_);
  return statements_;
}

void SnowflakeServer::script(Scripted next) {
  std::lock_guard lock(mutex_);
  scripted_.push_back(next);
}

void SnowflakeServer::reject_tokens_issued_before(int64_t unix_seconds) {
  std::lock_guard lock(mutex_);
  reject_before_ = unix_seconds;
}

TestReply SnowflakeServer::counted(TestReply reply) {
  std::lock_guard lock(mutex_);
  ++answered_[reply.status];
  return reply;
}

std::string SnowflakeServer::token_problem(const RecordedRequest& request) const {
  std::string auth = request.header("authorization");
  if (auth.rfind("Bearer ", 0) != 0) return "no Bearer token";
  if (request.header("x-snowflake-authorization-token-type") != "KEYPAIR_JWT") {
    return "X-Snowflake-Authorization-Token-Type is not KEYPAIR_JWT";
  }
  if (request.header("user-agent").empty()) return "no User-Agent";  // Snowflake answers 391903
  std::string token = auth.substr(7);
  auto first = token.find('.'), second = token.rfind('.');
  if (first == std::string::npos || first == second) return "not a JWT";
  Json header = Json::parse(base64url_decode(token.substr(0, first)), nullptr, false);
  Json claims =
      Json::parse(base64url_decode(token.substr(first + 1, second - first - 1)), nullptr, false);
  if (!header.is_object() || header.value("alg", "") != "RS256") return "alg is not RS256";
  auto key = public_key(public_pem_);
  std::string signature = base64url_decode(token.substr(second + 1));
  std::string input = token.substr(0, second);
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  bool valid =
      EVP_DigestVerifyInit(context, nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
      EVP_DigestVerify(context, reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(input.data()),
                       input.size()) == 1;
  EVP_MD_CTX_free(context);
  if (!valid) return "signature does not verify with the user's public key";
  if (!claims.is_object()) return "claims are not JSON";
  std::string qualified = account_ + "." + user_;
  if (claims.value("sub", "") != qualified)
    return "sub is " + claims.value("sub", "") + ", want " + qualified;
  if (claims.value("iss", "") != qualified + "." + fingerprint(key.get()))
    return "iss does not name the key's fingerprint";
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  int64_t iat = claims.value("iat", int64_t{0}), exp = claims.value("exp", int64_t{0});
  if (exp <= now) return "expired";
  if (exp - iat > 3600) return "lifetime over one hour";
  std::lock_guard lock(mutex_);
  if (iat < reject_before_) return "expired (issued before the server's cut-off)";
  return "";
}

TestReply SnowflakeServer::result(const std::string& handle, const std::string& agent_id) const {
  std::lock_guard lock(mutex_);
  Json data = Json::array();
  if (auto it = rows_.find(agent_id); it != rows_.end()) {
    data.push_back({std::to_string(it->second.first), std::to_string(it->second.second)});
  }
  Json body = {{"resultSetMetaData",
                {{"numRows", data.size()},
                 {"format", "jsonv2"},
                 {"rowType",
                  {{{"name", "SEQ"},
                    {"type", "fixed"},
                    {"scale", 0},
                    {"precision", 38},
                    {"nullable", false}},
                   {{"name", "DATE_PART(EPOCH_MILLISECOND, TO_TIMESTAMP_TZ(WRITTEN_AT))"},
                    {"type", "fixed"},
                    {"scale", 0},
                    {"precision", 18},
                    {"nullable", true}}}},
                 {"partitionInfo", {{{"rowCount", data.size()}, {"uncompressedSize", 64}}}}}},
               {"data", data},
               {"code", "090001"},
               {"statementStatusUrl", "/api/v2/statements/" + handle},
               {"sqlState", "00000"},
               {"statementHandle", handle},
               {"message", "Statement executed successfully."},
               {"createdOn", 1764107243000}};
  return json_reply(200, body);
}

TestReply SnowflakeServer::handle_post(const RecordedRequest& request) {
  Scripted next;
  {
    std::lock_guard lock(mutex_);
    ++posts_;
    auto id = request.query.find("requestId");
    request_ids_.push_back(id == request.query.end() ? "" : id->second);
    auto retry = request.query.find("retry");
    retry_flags_.push_back(retry != request.query.end() && retry->second == "true");
    if (!scripted_.empty()) {
      next = scripted_.front();
      scripted_.pop_front();
    }
  }
  if (next.delay.count() > 0) std::this_thread::sleep_for(next.delay);
  if (std::string problem = token_problem(request); !problem.empty() || next.status == 401) {
    std::lock_guard lock(mutex_);
    auth_problems_.push_back(problem.empty() ? "scripted 401" : problem);
    return json_reply(401, {{"code", "390144"}, {"message", "JWT token is invalid."}});
  }
  if (next.status == 429)
    return json_reply(429, {{"code", "000001"}, {"message", "Too many requests"}});
  if (next.status == 500 || next.status == 502 || next.status == 503 || next.status == 504)
    return json_reply(next.status, {{"message", "Service unavailable"}});
  Json body = Json::parse(request.body, nullptr, false);
  std::string statement = body.is_object() ? body.value("statement", "") : "";
  if (request.header("content-type").find("application/json") == std::string::npos ||
      statement.empty()) {
    return json_reply(400, {{"code", "390142"},
                            {"message", "Incoming request does not contain a valid payload."}});
  }
  std::string handle = "01bc-" + std::to_string(next_handle_++);
  StatementHandler handler;
  {
    std::lock_guard lock(mutex_);
    statements_.push_back(statement);
    handler = handler_;
  }
  std::vector<std::string> bindings;
  for (int i = 1; body.contains("bindings") && body["bindings"].contains(std::to_string(i)); ++i) {
    bindings.push_back(body["bindings"][std::to_string(i)].value("value", ""));
  }
  if (auto reply = metadata_reply(statement, bindings, next, handle)) return *reply;
  if (next.status != 422 && statement.find("FROM " + table_ + " ") == std::string::npos &&
      handler) {
    if (auto cells = handler(statement, bindings)) {
      Json data = Json::array();
      for (const auto& row : *cells) {
        Json out = Json::array();
        for (const auto& cell : row) out.push_back(cell ? Json(*cell) : Json(nullptr));
        data.push_back(out);
      }
      return json_reply(200,
                        {{"resultSetMetaData", {{"numRows", data.size()}, {"format", "jsonv2"}}},
                         {"data", data},
                         {"code", "090001"},
                         {"statementHandle", handle},
                         {"message", "Statement executed successfully."}});
    }
  }
  if (next.status == 422 || statement.find("FROM " + table_ + " ") == std::string::npos) {
    return json_reply(422, {{"code", "002003"},
                            {"message", "SQL compilation error:\nObject '" + table_ +
                                            "' does not exist or not authorized."},
                            {"sqlState", "02000"},
                            {"statementHandle", handle}});
  }
  const Json& binding = body["bindings"]["1"];
  if (!binding.is_object() || binding.value("type", "") != "TEXT" ||
      !binding["value"].is_string()) {
    return json_reply(422, {{"code", "002049"},
                            {"message", "SQL compilation error: bind variable ? not set."},
                            {"sqlState", "42601"},
                            {"statementHandle", handle}});
  }
  std::string agent_id = binding["value"].get<std::string>();
  if (next.status == 408) {
    // handling-errors: a statement past its `timeout` is cancelled and answered 408 with a
    // QueryStatus (Snowflake's error 000630, SQL state 57014).
    return json_reply(408, {{"code", "000630"},
                            {"message", "Statement reached its statement or warehouse timeout of " +
                                            std::to_string(body.value("timeout", 0)) +
                                            " second(s) and was canceled."},
                            {"sqlState", "57014"},
                            {"statementHandle", handle}});
  }
  if (next.status == 202) {
    std::lock_guard lock(mutex_);
    pending_[handle] = {next.polls, agent_id};
    return json_reply(
        202, {{"code", "333334"},
              {"message",
               "Asynchronous execution in progress. Use provided query id to perform "
               "query monitoring and management."},
              {"statementHandle", handle},
              {"statementStatusUrl", next.status_url_origin + "/api/v2/statements/" + handle}});
  }
  return result(handle, agent_id);
}

TestReply SnowflakeServer::handle_get(const RecordedRequest& request, const std::string& handle) {
  if (std::string problem = token_problem(request); !problem.empty()) {
    return json_reply(401, {{"code", "390144"}, {"message", "JWT token is invalid."}});
  }
  std::string agent_id;
  {
    std::lock_guard lock(mutex_);
    ++polls_;
    auto it = pending_.find(handle);
    if (it == pending_.end()) {
      return json_reply(422,
                        {{"code", "000709"}, {"message", "Statement " + handle + " not found"}});
    }
    if (it->second.first-- > 0) {
      return json_reply(202, {{"code", "333334"},
                              {"message", "Asynchronous execution in progress."},
                              {"statementHandle", handle},
                              {"statementStatusUrl", "/api/v2/statements/" + handle}});
    }
    agent_id = it->second.second;
    pending_.erase(it);
  }
  return result(handle, agent_id);
}

void SnowflakeServer::on_channels(std::function<std::vector<Channel>()> source) {
  std::lock_guard lock(mutex_);
  channels_ = std::move(source);
}

void SnowflakeServer::set_pipe(const std::string& qualified_name, Pipe pipe) {
  std::lock_guard lock(mutex_);
  pipes_[upper(qualified_name)] = std::move(pipe);
}

std::optional<TestReply> SnowflakeServer::metadata_reply(const std::string& statement,
                                                         const std::vector<std::string>& bindings,
                                                         const Scripted& next,
                                                         const std::string& handle) const {
  bool channels = statement.rfind("SHOW CHANNELS", 0) == 0;
  bool pipes = statement.rfind("SELECT SYSTEM$PIPE_STATUS(", 0) == 0;
  if (!channels && !pipes) return std::nullopt;
  if (next.status == 408) {
    return json_reply(408, {{"code", "000630"},
                            {"message",
                             "Statement reached its statement or warehouse timeout and "
                             "was canceled."},
                            {"sqlState", "57014"},
                            {"statementHandle", handle}});
  }
  if (next.status == 422) {
    return json_reply(422, {{"code", "002003"},
                            {"message",
                             "SQL compilation error:\nSchema does not exist or not "
                             "authorized."},
                            {"sqlState", "02000"},
                            {"statementHandle", handle}});
  }
  return channels ? show_channels(statement, next.malformed, handle)
                  : pipe_status(bindings, next.malformed, handle);
}

// SHOW output in the SQL API: every cell a string (jsonv2), timestamps as seconds since the epoch
// with nine decimals; columns as the SHOW CHANNELS page lists them, with bundle 2025_03's
// parent_domain and parent_name.
TestReply SnowflakeServer::show_channels(const std::string& statement, bool malformed,
                                         const std::string& handle) const {
  std::string scope = upper(statement.substr(std::string("SHOW CHANNELS IN SCHEMA ").size()));
  std::vector<Channel> channels;
  {
    std::lock_guard lock(mutex_);
    if (channels_) channels = channels_();
  }
  std::vector<std::pair<const char*, const char*>> columns = {
      {"created_on", "timestamp_ltz"}, {"name", "text"},         {"database_name", "text"},
      {"schema_name", "text"},         {"table_name", "text"},   {"client_sequencer", "fixed"},
      {"row_sequencer", "fixed"},      {"offset_token", "text"}, {"sizeInBytes", "fixed"},
      {"parent_domain", "text"},       {"parent_name", "text"}};
  if (malformed) columns.erase(columns.begin() + 7);
  Json row_type = Json::array();
  for (const auto& [name, type] : columns) {
    row_type.push_back({{"name", name}, {"type", type}, {"nullable", true}});
  }
  Json data = Json::array();
  for (const auto& channel : channels) {
    if (upper(channel.database + "." + channel.schema) != scope) continue;
    Json row = {"1764107243.000000000",
                upper(channel.name),
                upper(channel.database),
                upper(channel.schema),
                upper(channel.table),
                "1",
                "42",
                channel.offset_token ? Json(*channel.offset_token) : Json(nullptr),
                "0",
                "TABLE",
                upper(channel.table)};
    if (malformed) row.erase(7);
    data.push_back(row);
  }
  return json_reply(200, {{"resultSetMetaData",
                           {{"numRows", data.size()}, {"format", "jsonv2"}, {"rowType", row_type}}},
                          {"data", data},
                          {"code", "090001"},
                          {"statementHandle", handle},
                          {"message", "Statement executed successfully."}});
}

TestReply SnowflakeServer::pipe_status(const std::vector<std::string>& pipes, bool malformed,
                                       const std::string& handle) const {
  Json row = Json::array(), row_type = Json::array();
  std::lock_guard lock(mutex_);
  for (const auto& name : pipes) {
    auto it = pipes_.find(upper(name));
    if (it == pipes_.end()) {
      // Snowflake's answer for a pipe that does not exist (or the role cannot see).
      return json_reply(422, {{"code", "002003"},
                              {"message", "SQL compilation error:\nPipe '" + name +
                                              "' does not exist or not authorized."},
                              {"sqlState", "02000"},
                              {"statementHandle", handle}});
    }
    const Pipe& pipe = it->second;
    Json status = {{"executionState", pipe.execution_state},
                   {"pendingFileCount", pipe.pending_files}};
    if (pipe.pending_files > 0) {
      status["oldestPendingFilePath"] = "cdcwatch/pending/0_0_0.json.gz";
      status["oldestFileTimestamp"] = "2026-01-01T00:00:00.000Z";
    }
    if (pipe.last_ingested_timestamp) {
      status["lastIngestedTimestamp"] = *pipe.last_ingested_timestamp;
      status["lastIngestedFilePath"] = pipe.last_ingested_file_path;
    }
    row.push_back(malformed ? Json("Pipe status unavailable") : Json(status.dump()));
    row_type.push_back({{"name", "SYSTEM$PIPE_STATUS('" + name + "')"}, {"type", "text"}});
  }
  return json_reply(
      200, {{"resultSetMetaData", {{"numRows", 1}, {"format", "jsonv2"}, {"rowType", row_type}}},
            {"data", Json::array({row})},
            {"code", "090001"},
            {"statementHandle", handle},
            {"message", "Statement executed successfully."}});
}

int SnowflakeServer::statements_posted() const {
  std::lock_guard lock(mutex_);
  return posts_;
}
int SnowflakeServer::status_polls() const {
  std::lock_guard lock(mutex_);
  return polls_;
}
int SnowflakeServer::answered(int status) const {
  std::lock_guard lock(mutex_);
  auto it = answered_.find(status);
  return it == answered_.end() ? 0 : it->second;
}
std::vector<std::string> SnowflakeServer::request_ids() const {
  std::lock_guard lock(mutex_);
  return request_ids_;
}
std::vector<bool> SnowflakeServer::retry_flags() const {
  std::lock_guard lock(mutex_);
  return retry_flags_;
}
std::vector<std::string> SnowflakeServer::auth_problems() const {
  std::lock_guard lock(mutex_);
  return auth_problems_;
}

}  // namespace cdcwatch::testing

// A local Snowflake SQL API for tests: POST /api/v2/statements and GET /api/v2/statements/<handle>,
// answered in Snowflake's documented shapes (200 ResultSet with code 090001 and jsonv2 string
// cells; 202 QueryStatus with code 333334 and statementStatusUrl; 422 with code and sqlState;
// 401 for a bad JWT; 429, 5xx and 408 (QueryStatus of a cancelled statement) when scripted).
// https://docs.snowflake.com/en/developer-guide/sql-api/reference
// https://docs.snowflake.com/en/developer-guide/sql-api/handling-responses
// Every request's JWT is verified as Snowflake does: RS256 signature with the user's public key,
// iss = ACCOUNT.USER.SHA256:<fingerprint>, sub = ACCOUNT.USER, exp in the future and at most an
// hour after iat (https://docs.snowflake.com/en/developer-guide/sql-api/authenticating). It
// understands cdcwatch's canary query on the configured table, and the sink-truth probe's metadata
// statements (SHOW CHANNELS IN SCHEMA, SELECT SYSTEM$PIPE_STATUS(?), ...) over channels and pipes
// the test (or the pipeline simulator's sink) keeps; tests answer other statements
// (INFORMATION_SCHEMA, counts) with a statement handler.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/http_test_server.h"

namespace cdcwatch::testing {

// A fresh 2048-bit RSA key pair as PEM (private PKCS#8, public SubjectPublicKeyInfo).
struct RsaKeyPair {
  std::string private_pem;
  std::string public_pem;
};
RsaKeyPair generate_rsa_key_pair();

class SnowflakeServer {
 public:
  struct Scripted {
    // 429, 500, 502, 503, 504, 408, 422, 401, or 202 (then `polls` more 202s on GET)
    int status = 200;
    int polls = 0;
    std::chrono::milliseconds delay{0};
    // A 202's statementStatusUrl is this followed by the path; empty: the path alone, as
    // documented. The server's url() makes it absolute; another host tests the refusal.
    std::string status_url_origin;
    // A 200 whose result set lacks the documented columns (SHOW CHANNELS without offset_token,
    // SYSTEM$PIPE_STATUS answering text that is not JSON).
    bool malformed = false;
  };

  // A Snowpipe Streaming channel as SHOW CHANNELS lists it
  // (https://docs.snowflake.com/en/sql-reference/sql/show-channels).
  struct Channel {
    std::string name;                         // shown upper-cased, as Snowflake does
    std::string database, schema, table;      // where it lives
    std::optional<std::string> offset_token;  // NULL before the channel's first commit
  };
  // A pipe's state as SYSTEM$PIPE_STATUS reports it
  // (https://docs.snowflake.com/en/sql-reference/functions/system_pipe_status).
  struct Pipe {
    std::string execution_state = "RUNNING";
    int64_t pending_files = 0;
    std::optional<std::string> last_ingested_timestamp;  // ISO 8601, as Snowflake writes it
    std::string last_ingested_file_path;
  };
  // The channels SHOW CHANNELS lists, asked for on every statement (a live sink keeps them).
  void on_channels(std::function<std::vector<Channel>()> source);
  // Pipes by fully qualified name (DB.SCHEMA.PIPE, case-insensitive); others do not exist.
  void set_pipe(const std::string& qualified_name, Pipe pipe);

  // `account` and `user` as the JWT must name them (uppercased by the server).
  SnowflakeServer(std::string public_pem, std::string account, std::string user, std::string table);
  // Stops the server first: a handler still sleeping on a scripted delay must not outlive the
  // state.
  ~SnowflakeServer() { server_.stop(); }
  void start() { server_.start(); }
  // Takes the endpoint away (connections refused): a warehouse that cannot be reached.
  void stop() { server_.stop(); }
  std::string url() const { return server_.url(); }

  void set_row(const std::string& agent_id, int64_t seq, int64_t written_at_ms);
  // Rows (text cells, nullopt for NULL) for statements other than the canary's; nullopt answers
  // 422 "does not exist or not authorized", as Snowflake does for an unknown object.
  using Cells = std::vector<std::vector<std::optional<std::string>>>;
  using StatementHandler = std::function<std::optional<Cells>(
      const std::string& statement, const std::vector<std::string>& bindings)>;
  void on_statement(StatementHandler handler);
  std::vector<std::string> statements() const;             // every statement posted, in order
  void script(Scripted next);                              // answers the next POST so, in order
  void reject_tokens_issued_before(int64_t unix_seconds);  // "expires" earlier tokens: 401

  int statements_posted() const;
  int status_polls() const;
  int answered(int status) const;
  std::vector<std::string> request_ids() const;    // requestId of every POST, in order
  std::vector<bool> retry_flags() const;           // retry=true on every POST, in order
  std::vector<std::string> auth_problems() const;  // why tokens were refused

 private:
  TestReply handle_post(const RecordedRequest& request);
  TestReply handle_get(const RecordedRequest& request, const std::string& handle);
  std::string token_problem(const RecordedRequest& request) const;
  TestReply result(const std::string& handle, const std::string& agent_id) const;
  TestReply counted(TestReply reply);
  std::optional<TestReply> metadata_reply(const std::string& statement,
                                          const std::vector<std::string>& bindings,
                                          const Scripted& next, const std::string& handle) const;
  TestReply show_channels(const std::string& statement, bool malformed,
                          const std::string& handle) const;
  TestReply pipe_status(const std::vector<std::string>& pipes, bool malformed,
                        const std::string& handle) const;

  HttpTestServer server_;
  std::string public_pem_, account_, user_, table_;
  mutable std::mutex mutex_;
  std::map<std::string, std::pair<int64_t, int64_t>> rows_;
  std::deque<Scripted> scripted_;
  std::map<std::string, std::pair<int, std::string>> pending_;  // handle -> polls left, agent id
  int64_t reject_before_ = 0;
  int posts_ = 0, polls_ = 0, next_handle_ = 1;
  std::map<int, int> answered_;
  std::vector<std::string> request_ids_;
  std::vector<bool> retry_flags_;
  std::vector<std::string> auth_problems_;
  StatementHandler handler_;
  std::vector<std::string> statements_;
  std::function<std::vector<Channel>()> channels_;
  std::map<std::string, Pipe> pipes_;  // by upper-cased qualified name
};

}  // namespace cdcwatch::testing

// Validation at load (#23): every mistake an operator can make in the file is an error naming
// file:line and the fix, never a silently disarmed agent or a hang.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "agent/app/config.h"
#include "tests/agent/config_parsing.h"
#include "tests/support/child_process.h"

namespace cdcwatch {
namespace {

using testing::TempDir;

using testing::error_of;
using testing::parse;

::testing::AssertionResult mentions(const std::string& error, const std::string& expected) {
  if (error.find(expected) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << error << "' does not mention '" << expected << "'";
}

TEST(ConfigValidation, DuplicateKeysAndSectionsAreErrors) {
  std::string sections = error_of(
      "postgres:\n  - { name: a, dsn: 'host=a' }\npostgres:\n  - { name: b, dsn: 'host=b' }\n");
  EXPECT_TRUE(mentions(sections, "cdcwatch.yml:3"));
  EXPECT_TRUE(mentions(sections, "duplicate key 'postgres' (first at line 1)"));
  std::string keys = error_of("agent:\n  interval: 15s\n  listen: ':1'\n  interval: 1m\n");
  EXPECT_TRUE(mentions(keys, "cdcwatch.yml:4"));
  EXPECT_TRUE(mentions(keys, "duplicate key 'interval'"));
  EXPECT_TRUE(mentions(error_of("postgres:\n  - name: a\n    dsn: x\n    name: b\n"),
                       "(postgres[0].name)"));
}

TEST(ConfigValidation, AConfigPathMustBeARegularFile) {
  TempDir dir;
  try {
    ConfigNode::load_file(dir.path());
    FAIL() << "a directory was accepted as the config";
  } catch (const ConfigError& e) {
    EXPECT_TRUE(mentions(e.what(), "not a regular file but a directory"));
  }
  EXPECT_THROW(ConfigNode::load_file("/dev/zero"), ConfigError);
}

TEST(ConfigValidation, EveryEntryIntervalHasAMinimum) {
  const std::string warehouse =
      "warehouses:\n  - { name: w, postgres: { dsn: 'host=w' } }\n"
      "postgres:\n  - { name: p, dsn: 'host=p' }\n";
  std::vector<std::pair<std::string, std::string>> cases = {
      {"postgres:\n  - { name: p, dsn: 'host=p', interval: 0s }\n", "postgres[0].interval"},
      {"kafka:\n  - { name: k, bootstrap_servers: 'b:9092', interval: 1ms }\n",
       "kafka[0].interval"},
      {"connect:\n  - { name: c, url: 'http://c:8083', interval: 0s }\n", "connect[0].interval"},
      {"connect:\n  - { name: c, url: 'http://c:8083', request_timeout: 0s }\n",
       "connect[0].request_timeout"},
      {warehouse + "consistency:\n  - { name: x, postgres: p, warehouse: w, interval: 0s,"
                   " tables: [{ source: a.b, target: A.B.C }] }\n",
       "consistency[0].interval"},
      {warehouse + "canaries:\n  - { name: c, postgres: p, interval: 10ms }\n",
       "canaries[0].interval"},
      {warehouse +
           "canaries:\n  - name: c\n    postgres: p\n    warehouse:\n      poll_interval: 0s\n"
           "      postgres: { dsn: 'host=w', table: t }\n",
       "poll_interval"},
  };
  for (const auto& [yaml, key] : cases) {
    std::string error = error_of(yaml);
    EXPECT_TRUE(mentions(error, key)) << yaml;
    EXPECT_TRUE(mentions(error, "must be at least")) << yaml;
  }
  EXPECT_EQ(error_of("postgres:\n  - { name: p, dsn: 'host=p', interval: 100ms }\n"), "");
}

TEST(ConfigValidation, AnEmptyCredentialIsAnError) {
  setenv("CDCWATCH_TEST_EMPTY_TOKEN", "", 1);
  std::string token =
      error_of("agent:\n  auth: { bearer_token: '${env:CDCWATCH_TEST_EMPTY_TOKEN}' }\n");
  EXPECT_TRUE(mentions(token, "cdcwatch.yml:2"));
  EXPECT_TRUE(mentions(token, "resolved to an empty value"));
  EXPECT_TRUE(mentions(error_of("agent:\n  auth: { username: prom, password: '' }\n"),
                       "must not be empty"));
  EXPECT_TRUE(mentions(error_of("connect:\n  - { name: c, url: 'http://c:8083', username: u, "
                                "password: '${env:CDCWATCH_TEST_EMPTY_TOKEN}' }\n"),
                       "connect[0].password"));
  EXPECT_TRUE(mentions(error_of("kafka:\n  - name: k\n    bootstrap_servers: 'b:9092'\n"
                                "    properties: { sasl.password: '' }\n"),
                       "must not be empty"));
}

TEST(ConfigValidation, SecretFilesMustBeSmallRegularFiles) {
  TempDir dir;
  std::string big = dir.write("big", std::string(kMaxSecretFileBytes + 1, 'x'));
  for (const std::string& path : {std::string("/dev/zero"), dir.path(), big}) {
    std::string error =
        error_of("postgres:\n  - { name: p, dsn: 'host=p password=${file:" + path + "}' }\n");
    EXPECT_TRUE(mentions(error, "cdcwatch.yml:2")) << path;
    EXPECT_TRUE(mentions(error, path)) << path;
  }
}

TEST(ConfigValidation, ReferencesResolveInEveryStringValue) {
  setenv("CDCWATCH_TEST_CONNECT_URL", "http://connect.internal:8083", 1);
  setenv("CDCWATCH_TEST_KEY_DIR", "/etc/cdcwatch/keys", 1);
  Config config = parse(R"(
connect:
  - { name: c, url: '${env:CDCWATCH_TEST_CONNECT_URL}' }
warehouses:
  - name: w
    snowflake: { account: acme, user: u, private_key_file: '${env:CDCWATCH_TEST_KEY_DIR}/sf.p8' }
)");
  EXPECT_EQ(config.connect.at(0).url, "http://connect.internal:8083");
  EXPECT_EQ(config.warehouses.at(0).snowflake->private_key_file, "/etc/cdcwatch/keys/sf.p8");
}

class TlsPair : public ::testing::Test {
 protected:
  // A self-signed certificate and its key, made the way an operator would.
  static void make(const std::string& cert, const std::string& key) {
    std::string command =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
        "-keyout " +
        key + " -out " + cert + " 2>/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0);
    chmod(key.c_str(), 0600);
  }
  static std::string tls_error(const std::string& cert, const std::string& key) {
    return error_of("agent:\n  tls: { cert_file: " + cert + ", key_file: " + key + " }\n");
  }
  TempDir dir_;
};

TEST_F(TlsPair, AMatchingPairLoadsAndAMismatchOrGarbageIsAnError) {
  make(dir_.file("a.crt"), dir_.file("a.key"));
  make(dir_.file("b.crt"), dir_.file("b.key"));
  EXPECT_EQ(tls_error(dir_.file("a.crt"), dir_.file("a.key")), "");
  EXPECT_TRUE(mentions(tls_error(dir_.file("a.crt"), dir_.file("b.key")),
                       "is not the private key of the certificate"));
  std::string garbage = dir_.write("garbage.crt", "not a certificate\n");
  EXPECT_TRUE(mentions(tls_error(garbage, dir_.file("a.key")), "holds no PEM certificate"));
  EXPECT_TRUE(mentions(tls_error(dir_.file("a.crt"), dir_.write("k.key", "nope\n")),
                       "holds no unencrypted PEM private key"));
}

}  // namespace
}  // namespace cdcwatch

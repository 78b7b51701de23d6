// Redaction (#23): a DSN's password in every form, a password split by a space, and inline
// credentials in check-config's output never appear.
#include <gtest/gtest.h>

#include <cstdlib>

#include "agent/app/config.h"
#include "agent/core/secrets.h"
#include "probes/pgconn/dsn_redaction.h"
#include "probes/pgconn/pg_connection.h"

namespace cdcwatch {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(DsnRedaction, EveryFormOfThePasswordIsRedacted) {
  EXPECT_EQ(redact_dsn("host=db password=s3cretvalue user=me"),
            "host=db password=<redacted> user=me");
  EXPECT_EQ(redact_dsn("host=db password = 'two words\\' here' user=me"),
            "host=db password = <redacted> user=me");
  EXPECT_EQ(redact_dsn("host=db password=first second user=me"),
            "host=db password=<redacted> user=me");
  EXPECT_EQ(redact_dsn("postgresql://me:s3cret@db:5432/shop?sslmode=require&password=other"),
            "postgresql://me:<redacted>@db:5432/shop?sslmode=require&password=<redacted>");
  EXPECT_EQ(redact_dsn("postgres://me@db/shop"), "postgres://me@db/shop");
  EXPECT_EQ(redact_dsn("host=db passwordless=yes"), "host=db passwordless=yes");
}

// The leak of #23: libpq splits `password=first secondhalf` and quotes "secondhalf" in its error.
TEST(DsnRedaction, LibpqNeverShowsAPieceOfAPasswordWithASpace) {
  setenv("CDCWATCH_TEST_SPACED_PASSWORD", "firsthalf secondhalf", 1);
  PgConnection reference(resolve_secrets("host=127.0.0.1 port=1 connect_timeout=1 "
                                         "password=${env:CDCWATCH_TEST_SPACED_PASSWORD}"),
                         {});
  auto error = reference.ensure_connected();
  ASSERT_TRUE(error.has_value());
  EXPECT_TRUE(contains(*error, "<redacted>")) << *error;
  EXPECT_FALSE(contains(*error, "secondhalf")) << *error;

  PgConnection inline_password(resolve_secrets("host=127.0.0.1 port=1 password=inl1ne tail3nd"),
                               {});
  error = inline_password.ensure_connected();
  ASSERT_TRUE(error.has_value());
  EXPECT_FALSE(contains(*error, "tail3nd")) << *error;
}

TEST(CheckConfigRedaction, InlineCredentialsAreShownRedactedByKeyName) {
  Config config = parse_config(ConfigNode::load_string(R"(
postgres:
  - { name: p, dsn: 'host=db user=cdcwatch password=Inl1nePassword' }
kafka:
  - name: k
    bootstrap_servers: 'b:9092'
    properties: { sasl.password: Inl1neKafka, sasl.jaas.config: 'x password="Inl1neJaas";' }
connect:
  - { name: c, url: 'http://c:8083', username: u, password: Inl1neConnect }
warehouses:
  - { name: w, postgres: { dsn: 'postgresql://wh:Inl1neWarehouse@w/db' } }
notifiers:
  pagerduty: { routing_key: Inl1neRoutingKey0123456789abcdef }
)",
                                                       "cdcwatch.yml"));
  std::string shown = to_yaml(effective_config(config));
  for (const char* secret : {"Inl1nePassword", "Inl1neKafka", "Inl1neJaas", "Inl1neConnect",
                             "Inl1neWarehouse", "Inl1neRoutingKey"}) {
    EXPECT_FALSE(contains(shown, secret)) << secret << " in:\n" << shown;
  }
  EXPECT_TRUE(contains(shown, "host=db user=cdcwatch password=<redacted>")) << shown;
}

}  // namespace
}  // namespace cdcwatch

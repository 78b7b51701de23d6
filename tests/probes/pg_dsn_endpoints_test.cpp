// Which servers a `postgres:` entry's connection string names, in the forms libpq documents
// (https://www.postgresql.org/docs/15/libpq-connect.html#LIBPQ-CONNSTRING, its examples).
#include <gtest/gtest.h>

#include "probes/pgconn/dsn_endpoints.h"

namespace cdcwatch {
namespace {

using Endpoints = std::vector<PgEndpoint>;

TEST(DsnEndpoints, KeywordValueAndUriFormsWithTheirDefaultPort) {
  EXPECT_EQ(dsn_endpoints("host=localhost port=5432 dbname=mydb connect_timeout=10"),
            (Endpoints{{"localhost", "5432"}}));
  EXPECT_EQ(dsn_endpoints("postgresql://other@localhost/otherdb?connect_timeout=10"),
            (Endpoints{{"localhost", "5432"}}));
  EXPECT_EQ(dsn_endpoints("postgresql://user:secret@myhost:6543/somedb"),
            (Endpoints{{"myhost", "6543"}}));
  EXPECT_EQ(dsn_endpoints("postgresql://[2001:db8::1234]/database"),
            (Endpoints{{"2001:db8::1234", "5432"}}));
}

TEST(DsnEndpoints, SeveralHostsPairWithTheirPortsOrShareOne) {
  EXPECT_EQ(dsn_endpoints("postgresql://host1:123,host2:456/somedb"),
            (Endpoints{{"host1", "123"}, {"host2", "456"}}));
  EXPECT_EQ(dsn_endpoints("host=a,b port=6000"), (Endpoints{{"a", "6000"}, {"b", "6000"}}));
  EXPECT_EQ(dsn_endpoints("host=db.internal hostaddr=10.0.0.7 port=5433"),
            (Endpoints{{"db.internal", "5433"}, {"10.0.0.7", "5433"}}));
}

TEST(DsnEndpoints, NoHostOrAStringLibpqRejectsNamesNone) {
  EXPECT_EQ(dsn_endpoints("dbname=shop user=cdcwatch"), Endpoints{}) << "PGHOST or the socket";
  EXPECT_EQ(dsn_endpoints("host='unterminated"), Endpoints{});
  EXPECT_EQ(dsn_endpoints("nonsense_keyword=1 host=x"), Endpoints{});
}

}  // namespace
}  // namespace cdcwatch

#include <gtest/gtest.h>

#include "db/mariadb/mariadb_connection.h"

namespace pb::db {
namespace {

TEST(MariadbUrl, TcpWithPercentEncodedCredentials) {
  auto t = ParseMariadbUrl("mysql://pb:p%40ss%3Aw%2Frd@db.example.org:3307/patchwork");
  EXPECT_EQ(t.user, "pb");
  EXPECT_EQ(t.password, "p@ss:w/rd");
  EXPECT_EQ(t.host, "db.example.org");
  EXPECT_EQ(t.port, 3307u);
  EXPECT_EQ(t.database, "patchwork");
  EXPECT_EQ(t.socket, "");
}

TEST(MariadbUrl, UnixSocketForms) {
  auto t = ParseMariadbUrl("mariadb://root@localhost/upstream?socket=/run/mysqld/mysqld.sock");
  EXPECT_EQ(t.user, "root");
  EXPECT_EQ(t.password, "");
  EXPECT_EQ(t.host, "localhost");
  EXPECT_EQ(t.port, 0u);
  EXPECT_EQ(t.socket, "/run/mysqld/mysqld.sock");
  // No host at all: the socket is used through "localhost".
  t = ParseMariadbUrl("mysql:///upstream?socket=%2Ftmp%2Fx.sock");
  EXPECT_EQ(t.host, "localhost");
  EXPECT_EQ(t.socket, "/tmp/x.sock");
  EXPECT_EQ(t.database, "upstream");
}

TEST(MariadbUrl, Ipv6HostAndUnknownOption) {
  auto t = ParseMariadbUrl("mysql://u@[::1]:3306/db");
  EXPECT_EQ(t.host, "::1");
  EXPECT_EQ(t.port, 3306u);
  EXPECT_THROW(ParseMariadbUrl("mysql://u@h/db?sslmode=require"), DbError);
}

}  // namespace
}  // namespace pb::db

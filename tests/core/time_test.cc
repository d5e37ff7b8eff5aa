#include "core/time.h"

#include <gtest/gtest.h>

namespace pb {
namespace {

TEST(Time, FormatsLikeDjangoRestFramework) {
  auto t = MicrosFromCivil(2023, 8, 1, 17, 10, 1);
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatIsoDate(*t), "2023-08-01T17:10:01");
  EXPECT_EQ(FormatIsoDate(*t + 806641), "2023-08-01T17:10:01.806641");
  EXPECT_EQ(FormatIsoDate(*t + 7), "2023-08-01T17:10:01.000007");
  EXPECT_EQ(FormatIsoDate(*MicrosFromCivil(1, 1, 2, 3, 4, 5)), "0001-01-02T03:04:05");
  EXPECT_EQ(FormatIsoDate(*MicrosFromCivil(9999, 12, 31, 23, 59, 59, 999999)),
            "9999-12-31T23:59:59.999999");
}

TEST(Time, ParsesFilterValues) {
  EXPECT_EQ(ParseIsoDate("2023-08-01T17:10:01"), MicrosFromCivil(2023, 8, 1, 17, 10, 1));
  EXPECT_EQ(ParseIsoDate("2023-08-01"), MicrosFromCivil(2023, 8, 1, 0, 0, 0));
  EXPECT_EQ(ParseIsoDate("2023-08-01 17:10"), MicrosFromCivil(2023, 8, 1, 17, 10, 0));
  EXPECT_EQ(ParseIsoDate("2023-08-01T19:10:01+02:00"), MicrosFromCivil(2023, 8, 1, 17, 10, 1));
  EXPECT_EQ(ParseIsoDate("2023-08-01T17:10:01.5Z"), *MicrosFromCivil(2023, 8, 1, 17, 10, 1) + 500000);
  EXPECT_FALSE(ParseIsoDate("garbage"));
  EXPECT_FALSE(ParseIsoDate("2023-13-01"));
  EXPECT_FALSE(ParseIsoDate("2023-02-30"));
  EXPECT_FALSE(ParseIsoDate("2023-08-01T17:10:01junk"));
}

TEST(Time, RoundTripsCivilFields) {
  for (Micros t : {Micros{0}, Micros{951782400000000}, Micros{-86400000000}, Micros{253402300799000000}}) {
    Civil c = CivilFromMicros(t);
    EXPECT_EQ(MicrosFromCivil(c.year, c.month, c.day, c.hour, c.minute, c.second, c.micro), t);
  }
  EXPECT_EQ(CivilFromMicros(0).weekday, 4);  // Thursday
}

TEST(Time, RejectsOutOfRangeYears) {
  EXPECT_FALSE(MicrosFromCivil(0, 1, 1, 0, 0, 0));
  EXPECT_FALSE(MicrosFromCivil(10000, 1, 1, 0, 0, 0));
}

}  // namespace
}  // namespace pb

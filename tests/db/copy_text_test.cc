#include "db/copy_text.h"

#include <gtest/gtest.h>

namespace pb::db {
namespace {

TEST(CopyText, ColumnsAreTabSeparatedAndRowsEndInNewline) {
  CopyText rows;
  rows.Int(7);
  rows.Text("seven");
  rows.Null();
  rows.EndRow();
  rows.Int(-8);
  rows.EndRow();
  EXPECT_EQ(rows.data(), "7\tseven\t\\N\n-8\n");
  EXPECT_EQ(rows.rows(), 2u);
}

TEST(CopyText, SeparatorsAndBackslashesInTextAreEscaped) {
  CopyText rows;
  rows.Text("a\tb\nc\rd\\N");
  rows.Text("");
  rows.EndRow();
  // An empty string stays a column of its own, distinct from \N (NULL).
  EXPECT_EQ(rows.data(), "a\\tb\\nc\\rd\\\\N\t\n");
}

TEST(CopyText, ClearStartsAFreshBatch) {
  CopyText rows;
  rows.Text("x");
  rows.EndRow();
  rows.Clear();
  rows.Text("y");
  rows.EndRow();
  EXPECT_EQ(rows.data(), "y\n");
  EXPECT_EQ(rows.rows(), 1u);
}

}  // namespace
}  // namespace pb::db

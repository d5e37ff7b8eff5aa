#include "api/query.h"

#include <gtest/gtest.h>

#include "api/filters.h"
#include "api/pagination.h"

namespace pb::api {
namespace {

TEST(QueryParams, ParsesLikeParseQsl) {
  auto q = QueryParams::Parse("a=1&b=x+y&a=2&empty=&flag&c=%3Cm%40x%3E&&d=%zz");
  EXPECT_EQ(*q.Last("a"), "2");
  EXPECT_EQ(q.All("a").size(), 2u);
  EXPECT_EQ(*q.Last("b"), "x y");
  EXPECT_EQ(*q.Last("empty"), "");
  EXPECT_EQ(*q.Last("flag"), "");
  EXPECT_EQ(*q.Last("c"), "<m@x>");
  EXPECT_EQ(*q.Last("d"), "%zz");
  EXPECT_EQ(q.Last("missing"), nullptr);
}

TEST(QueryParams, RebuildsSortedAndFormEncoded) {
  auto q = QueryParams::Parse("submitter=stephen@that.guru&b=2&a=x&b=1&since=2018-01-01T00:00:00");
  EXPECT_EQ(q.Rebuilt("page", "1"),
            "a=x&b=2&b=1&page=1&since=2018-01-01T00%3A00%3A00&submitter=stephen%40that.guru");
  EXPECT_EQ(q.Rebuilt("b", std::nullopt), "a=x&since=2018-01-01T00%3A00%3A00&submitter=stephen%40that.guru");
  EXPECT_EQ(QuotePlus("a b~c.d_e-f/ü"), "a+b~c.d_e-f%2F%C3%BC");
}

TEST(Pagination, LinkHeaderMatchesGolden) {
  // golden patches-page-2: 56 patches, default size.
  auto q = QueryParams::Parse("page=2");
  auto page = ResolvePage(q, 56);
  ASSERT_TRUE(page);
  EXPECT_EQ(LinkHeader("http://127.0.0.1:8000/api/patches/", q, *page),
            "<http://127.0.0.1:8000/api/patches/>; rel=\"prev\", "
            "<http://127.0.0.1:8000/api/patches/?page=1>; rel=\"first\", "
            "<http://127.0.0.1:8000/api/patches/?page=2>; rel=\"last\"");
  // golden patches-per-page-5-page-3.
  q = QueryParams::Parse("per_page=5&page=3");
  page = ResolvePage(q, 56);
  ASSERT_TRUE(page);
  EXPECT_EQ(LinkHeader("http://h/api/patches/", q, *page),
            "<http://h/api/patches/?page=4&per_page=5>; rel=\"next\", "
            "<http://h/api/patches/?page=2&per_page=5>; rel=\"prev\", "
            "<http://h/api/patches/?page=1&per_page=5>; rel=\"first\", "
            "<http://h/api/patches/?page=12&per_page=5>; rel=\"last\"");
  // Empty result: one page, first and last only.
  q = QueryParams::Parse("project=nosuch");
  page = ResolvePage(q, 0);
  ASSERT_TRUE(page);
  EXPECT_EQ(LinkHeader("http://h/x/", q, *page),
            "<http://h/x/?page=1&project=nosuch>; rel=\"first\", "
            "<http://h/x/?page=1&project=nosuch>; rel=\"last\"");
}

TEST(Pagination, PageAndSizeRules) {
  EXPECT_EQ(PageSize(QueryParams::Parse("")), 30);
  EXPECT_EQ(PageSize(QueryParams::Parse("per_page=0")), 30);
  EXPECT_EQ(PageSize(QueryParams::Parse("per_page=-3")), 30);
  EXPECT_EQ(PageSize(QueryParams::Parse("per_page=x")), 30);
  EXPECT_EQ(PageSize(QueryParams::Parse("per_page=+7")), 7);
  EXPECT_EQ(PageSize(QueryParams::Parse("per_page=1_0")), 10);
  EXPECT_EQ(PageSize(QueryParams::Parse("per_page=9999999999999999999999")), 250);
  EXPECT_FALSE(ResolvePage(QueryParams::Parse("page=0"), 10));
  EXPECT_FALSE(ResolvePage(QueryParams::Parse("page=2"), 10));
  EXPECT_FALSE(ResolvePage(QueryParams::Parse("page="), 10));
  EXPECT_FALSE(ResolvePage(QueryParams::Parse("page=1.0"), 10));
  EXPECT_EQ(ResolvePage(QueryParams::Parse("page=last&per_page=3"), 10)->number, 4);
  EXPECT_EQ(ResolvePage(QueryParams::Parse("page=1"), 0)->number, 1);
}

TEST(Filters, BooleansDatesSearchOrder) {
  EXPECT_EQ(BoolFilter(QueryParams::Parse("archived=TRUE"), "archived"), true);
  EXPECT_EQ(BoolFilter(QueryParams::Parse("archived=0"), "archived"), false);
  EXPECT_EQ(BoolFilter(QueryParams::Parse("archived=yes"), "archived"), std::nullopt);
  EXPECT_TRUE(DateFilter(QueryParams::Parse("since=garbage"), "since").invalid);
  EXPECT_TRUE(DateFilter(QueryParams::Parse("since=2020-01-01"), "since").invalid);
  EXPECT_FALSE(DateFilter(QueryParams::Parse("since="), "since").value);
  EXPECT_EQ(*DateFilter(QueryParams::Parse("since=1970-01-01T00:00:01"), "since").value, 1000000);
  EXPECT_EQ(SearchTerms(QueryParams::Parse("q=a,b++c%00d")), (std::vector<std::string>{"a", "b", "cd"}));
  auto order = OrderTerms(QueryParams::Parse("order=-date,+name,bogus,--id, name "), {"id", "name", "date"});
  ASSERT_EQ(order.size(), 3u);  // "+name" is " name" once decoded, then stripped
  EXPECT_EQ(order[0], (std::pair<std::string, bool>{"date", true}));
  EXPECT_EQ(order[1], (std::pair<std::string, bool>{"name", false}));
}

}  // namespace
}  // namespace pb::api

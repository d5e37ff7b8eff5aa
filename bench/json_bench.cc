// The JSON string encoder on a realistic patch body (diff with newlines and
// tabs): it dominates the cost of a patch detail response.
#include <benchmark/benchmark.h>

#include <string>

#include "api/json_writer.h"

namespace {

std::string SampleDiff() {
  std::string d = "diff --git a/drivers/net/foo.c b/drivers/net/foo.c\nindex 1111111..2222222 100644\n"
                  "--- a/drivers/net/foo.c\n+++ b/drivers/net/foo.c\n@@ -10,40 +10,40 @@ static int foo(void)\n";
  for (int i = 0; i < 120; ++i) {
    d += i % 3 == 0 ? "-\tret = foo_bar(dev, \"old value\", i);\n"
                    : i % 3 == 1 ? "+\tret = foo_bar(dev, \"new value\", i);\n" : " \tif (ret)\n\t\treturn ret;\n";
  }
  return d;
}

void BM_AppendJsonString(benchmark::State& state) {
  const std::string diff = SampleDiff();
  std::string out;
  for (auto _ : state) {
    out.clear();
    pb::api::AppendJsonString(out, diff);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(diff.size()));
}
BENCHMARK(BM_AppendJsonString);

}  // namespace

BENCHMARK_MAIN();

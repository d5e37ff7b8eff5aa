// A main() for the libFuzzer targets in an ordinary (g++, uninstrumented)
// build: a regression run, not fuzzing. It feeds the target every file of a
// seed directory, then ITERATIONS inputs made from them by a fixed-seed
// mutator (bit flips, byte changes, inserted tokens, cut and repeated
// ranges, splices), so every CI run replays the same inputs in seconds. A
// target reports a bug by crashing or aborting, as under libFuzzer.
//   xmlrpc_request_replay tests/fuzz/seeds/xmlrpc_request 3000
// The coverage-guided runs are scripts/fuzz.sh (clang, ASan, UBSan).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// Bytes that tend to matter to the parsers under test.
const char* const kTokens[] = {"\r\n", "\r\n\r\n", "\n", "\0", "\xff", "%", "%0d%0a", "&", "=", "?",
                               "/", "<", ">", "</", "&amp;", "{", "}", "[", "\"", ":", ",", "0",
                               "-1", "99999999999999999999", "chunked", "Content-Length: ",
                               "Transfer-Encoding: chunked\r\n", ";", "--", " ", "\t", "\\u0000"};

std::string Mutate(const std::vector<std::string>& seeds, std::mt19937_64& rng) {
  auto pick = [&](size_t n) { return n == 0 ? size_t{0} : static_cast<size_t>(rng() % n); };
  std::string s = seeds[pick(seeds.size())];
  int rounds = 1 + static_cast<int>(pick(4));
  for (int r = 0; r < rounds; ++r) {
    size_t at = pick(s.size() + 1);
    switch (pick(7)) {
      case 0:
        if (!s.empty()) s[pick(s.size())] ^= static_cast<char>(1u << pick(8));
        break;
      case 1:
        if (!s.empty()) s[pick(s.size())] = static_cast<char>(rng());
        break;
      case 2: {
        const char* t = kTokens[pick(std::size(kTokens))];
        s.insert(at, t, t[0] ? std::char_traits<char>::length(t) : 1);
        break;
      }
      case 3:
        if (!s.empty()) s.erase(at, 1 + pick(16));
        break;
      case 4:
        if (at < s.size()) {
          std::string piece = s.substr(at, 1 + pick(64));
          for (size_t k = pick(64); k-- > 0;) s.insert(at, piece);
        }
        break;
      case 5: {
        const std::string& other = seeds[pick(seeds.size())];
        size_t from = pick(other.size() + 1);
        s = s.substr(0, at) + other.substr(from);
        break;
      }
      case 6:
        s.insert(at, 1 + pick(8), static_cast<char>(rng()));
        break;
    }
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s SEED_DIR [ITERATIONS]\n", argv[0]);
    return 2;
  }
  long iterations = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 2000;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(argv[1])) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> seeds;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (seeds.empty()) {
    std::fprintf(stderr, "%s: no seeds in %s\n", argv[0], argv[1]);
    return 2;
  }
  auto run = [](const std::string& s) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  };
  for (const auto& s : seeds) run(s);
  std::mt19937_64 rng(20261202);
  for (long i = 0; i < iterations; ++i) run(Mutate(seeds, rng));
  std::printf("%zu seeds and %ld mutated inputs replayed\n", seeds.size(), iterations);
  std::fflush(stdout);
  // Targets may keep a server thread running: leave without unwinding it.
  std::_Exit(0);
}

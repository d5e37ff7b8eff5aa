// Holds many Server-Sent Event streams of one server and times every
// delivery (issue #14, driven by bench/sse_bench.py). One thread, one epoll
// set, a few hundred nanoseconds of work per event read, so that on a
// shared 2-core machine the reader, not the server, is not what is timed.
//
//   sse_reader --port P [--clients N] [--path /api/events/stream/]
//              [--grace-ms 2000] [--dump FILE] [--gzip DECODED]
//
// Opens N streams (in order: stream i subscribes before stream i+1) and
// prints "ready <connected>" once every one has its 200 header. Then reads
// until a line arrives on stdin (or stdin closes), reads --grace-ms longer,
// and prints one JSON object: deliveries, distinct events, and per delivery
//  * latency: arrival (CLOCK_REALTIME) minus the event's "date", which the
//    writer sets when it inserts the row (before its commit and fsync): an
//    upper bound of commit-to-client time;
//  * spread: arrival minus the event's first arrival at any stream: the
//    server's fan-out alone, whatever the writer and the poll cost;
// as p50/p99/max over all streams and over the last 10 subscribed.
// --gzip asks for the compressed stream (Accept-Encoding: gzip) and inflates
// and times only DECODED streams: the last 10 subscribed and the rest spread
// evenly over the subscription order; the others are read and their bytes
// counted, as a remote client's socket would drain them. Inflating all of a
// thousand streams on the server's two cores would time the reader instead.
// --dump writes one line per event, "e id date_ns first_arrival_ns", and one
// per delivery, "d id arrival_ns stream", to line arrivals up with other
// clocks (the stage notes of PATCHBAY_EVENT_TRACE, a database's commit log).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <memory>
#include <vector>

namespace {

int64_t NowNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// "2026-12-02T12:03:23.123456" (UTC, fraction optional) -> ns since the
// epoch; -1 when it is not that.
int64_t ParseIsoUtc(std::string_view s) {
  tm t{};
  int frac_pos = 0;
  if (std::sscanf(std::string(s.substr(0, 19)).c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &t.tm_year,
                  &t.tm_mon, &t.tm_mday, &t.tm_hour, &t.tm_min, &t.tm_sec, &frac_pos) != 6) {
    return -1;
  }
  t.tm_year -= 1900;
  t.tm_mon -= 1;
  int64_t ns = int64_t(timegm(&t)) * 1000000000;
  if (s.size() > 20 && s[19] == '.') {
    int64_t scale = 100000000;
    for (size_t i = 20; i < s.size() && s[i] >= '0' && s[i] <= '9' && scale > 0; ++i, scale /= 10) {
      ns += (s[i] - '0') * scale;
    }
  }
  return ns;
}

struct Inflater {
  z_stream z{};
  Inflater() { inflateInit2(&z, 16 + MAX_WBITS); }
  ~Inflater() { inflateEnd(&z); }
};

struct Stream {
  int fd = -1;
  bool head_done = false;
  bool ok = false;
  bool open = true;
  bool timed = true;                 // its lines are parsed and its deliveries timed
  std::unique_ptr<Inflater> gzip;    // set when the stream is compressed
  std::string partial;  // an unfinished line
  int64_t event_id = -1;
};

struct Delivery {
  int64_t event_id;
  int64_t arrival_ns;
  int stream;
};

struct Reader {
  std::vector<Stream> streams;
  std::vector<Delivery> deliveries;
  std::unordered_map<int64_t, int64_t> date_ns;   // event id -> its "date"
  std::unordered_map<int64_t, int64_t> first_ns;  // event id -> first arrival
  int connected = 0;
  bool want_gzip = false;
  int64_t bytes_read = 0;  // from the sockets, after the headers

  void Line(int index, std::string_view line, int64_t now) {
    Stream& s = streams[index];
    if (line.starts_with("id: ")) {
      s.event_id = std::strtoll(line.data() + 4, nullptr, 10);
    } else if (line.starts_with("data: ")) {
      if (s.event_id < 0 || date_ns.count(s.event_id)) return;
      // The event's own "date", after the nested "project" object.
      size_t at = line.find("\"date\":\"");
      if (at == std::string_view::npos) return;
      int64_t d = ParseIsoUtc(line.substr(at + 8, 26));
      if (d >= 0) date_ns.emplace(s.event_id, d);
    } else if (line.empty() && s.event_id >= 0) {
      deliveries.push_back({s.event_id, now, index});
      first_ns.emplace(s.event_id, now);  // kept only when it is the first
      s.event_id = -1;
    }
  }

  // Bytes read from stream `index` at `now`: the header, then SSE lines.
  void Bytes(int index, std::string_view bytes, int64_t now) {
    Stream& s = streams[index];
    if (!s.head_done) {
      s.partial.append(bytes);
      size_t end = s.partial.find("\r\n\r\n");
      if (end == std::string::npos) return;
      s.head_done = true;
      s.ok = s.partial.starts_with("HTTP/1.1 200");
      if (want_gzip) {
        // Every stream must be compressed, or the run is not what it says.
        s.ok = s.ok && s.partial.substr(0, end).find("\r\nContent-Encoding: gzip") != std::string::npos;
        if (s.timed) s.gzip = std::make_unique<Inflater>();
      }
      connected += s.ok;
      std::string rest = s.partial.substr(end + 4);
      s.partial.clear();
      return Bytes(index, rest, now);
    }
    bytes_read += int64_t(bytes.size());
    if (!s.timed) return;
    if (s.gzip) {
      z_stream& z = s.gzip->z;
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
      z.avail_in = uInt(bytes.size());
      static char out[1 << 16];
      do {
        z.next_out = reinterpret_cast<Bytef*>(out);
        z.avail_out = sizeof out;
        int rc = inflate(&z, Z_SYNC_FLUSH);
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
          std::fprintf(stderr, "sse_reader: stream %d: inflate: %d\n", index, rc);
          return;
        }
        Text(index, std::string_view(out, sizeof out - z.avail_out), now);
        if (rc == Z_BUF_ERROR) break;
      } while (z.avail_in > 0 || z.avail_out == 0);
      return;
    }
    Text(index, bytes, now);
  }

  // Decoded stream text: SSE lines.
  void Text(int index, std::string_view bytes, int64_t now) {
    Stream& s = streams[index];
    while (!bytes.empty()) {
      size_t nl = bytes.find('\n');
      if (nl == std::string_view::npos) {
        s.partial.append(bytes);
        return;
      }
      if (s.partial.empty()) {
        Line(index, bytes.substr(0, nl), now);
      } else {
        s.partial.append(bytes.substr(0, nl));
        std::string line = std::move(s.partial);
        s.partial.clear();
        Line(index, line, now);
      }
      bytes.remove_prefix(nl + 1);
    }
  }
};

int Connect(int port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      write(fd, request.data(), request.size()) != ssize_t(request.size())) {
    close(fd);
    return -1;
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0;
  size_t n = 0;
};

Percentiles Of(std::vector<double> v) {
  Percentiles p;
  p.n = v.size();
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, size_t(v.size() * q))]; };
  p.p50 = at(0.50);
  p.p99 = at(0.99);
  p.max = v.back();
  return p;
}

void PrintPercentiles(const char* name, const Percentiles& p, bool last) {
  std::printf("\"%s\":{\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f,\"n\":%zu}%s", name, p.p50,
              p.p99, p.max, p.n, last ? "" : ",");
}

int Usage() {
  std::fprintf(stderr,
               "usage: sse_reader --port P [--clients N] [--path /api/events/stream/] "
               "[--grace-ms 2000] [--dump FILE] [--gzip DECODED]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0, clients = 1000, grace_ms = 2000;
  std::string path = "/api/events/stream/";
  std::string dump;
  int decoded = -1;  // --gzip: streams inflated and timed
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    if (flag == "--port") port = std::atoi(argv[i + 1]);
    else if (flag == "--clients") clients = std::atoi(argv[i + 1]);
    else if (flag == "--path") path = argv[i + 1];
    else if (flag == "--grace-ms") grace_ms = std::atoi(argv[i + 1]);
    else if (flag == "--dump") dump = argv[i + 1];
    else if (flag == "--gzip") decoded = std::atoi(argv[i + 1]);
    else return Usage();
  }
  if (port <= 0 || clients <= 0 || argc % 2 == 0) return Usage();

  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                        "\r\nAccept: text/event-stream\r\n" +
                        (decoded >= 0 ? "Accept-Encoding: gzip\r\n" : "") + "\r\n";
  int ep = epoll_create1(0);
  Reader r;
  r.streams.resize(clients);
  if (decoded >= 0) {
    r.want_gzip = true;
    // The last 10, and the rest of DECODED spread evenly over the others.
    const int last = std::min(clients, 10), spread = std::max(0, std::min(decoded, clients) - last);
    for (int i = 0; i < clients; ++i) r.streams[i].timed = i >= clients - last;
    for (int k = 0; k < spread; ++k) r.streams[size_t(k) * (clients - last) / spread].timed = true;
  }
  r.deliveries.reserve(size_t(clients) * 256);
  for (int i = 0; i < clients; ++i) {
    int fd = Connect(port, request);
    if (fd < 0) {
      std::fprintf(stderr, "sse_reader: connect %d: %s\n", i, std::strerror(errno));
      return 1;
    }
    r.streams[i].fd = fd;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = uint64_t(i);
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }
  constexpr uint64_t kStdin = ~uint64_t(0);
  epoll_event in{};
  in.events = EPOLLIN;
  in.data.u64 = kStdin;
  epoll_ctl(ep, EPOLL_CTL_ADD, 0, &in);

  static char buf[1 << 16];
  std::vector<epoll_event> ready(1024);
  bool announced = false;
  int64_t stop_at = -1;
  int open = clients;
  for (;;) {
    if (!announced && r.connected + (clients - open) >= clients) {
      std::printf("ready %d\n", r.connected);
      std::fflush(stdout);
      announced = true;
    }
    int timeout = 200;
    if (stop_at >= 0) {
      int64_t left = (stop_at - NowNs()) / 1000000;
      if (left <= 0) break;
      timeout = int(std::min<int64_t>(left, 200));
    }
    int n = epoll_wait(ep, ready.data(), int(ready.size()), timeout);
    if (n < 0 && errno != EINTR) return 1;
    for (int k = 0; k < n; ++k) {
      uint64_t tag = ready[k].data.u64;
      if (tag == kStdin) {
        ssize_t got = read(0, buf, sizeof buf);
        (void)got;
        epoll_ctl(ep, EPOLL_CTL_DEL, 0, nullptr);
        stop_at = NowNs() + int64_t(grace_ms) * 1000000;
        continue;
      }
      Stream& s = r.streams[tag];
      ssize_t got = read(s.fd, buf, sizeof buf);
      int64_t now = NowNs();
      if (got > 0) {
        r.Bytes(int(tag), std::string_view(buf, size_t(got)), now);
      } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        epoll_ctl(ep, EPOLL_CTL_DEL, s.fd, nullptr);
        close(s.fd);
        s.open = false;
        --open;
      }
    }
  }

  if (!dump.empty()) {
    if (FILE* f = std::fopen(dump.c_str(), "w")) {
      for (const auto& [id, first] : r.first_ns) {
        auto date = r.date_ns.find(id);
        std::fprintf(f, "e %lld %lld %lld\n", (long long)id,
                     (long long)(date == r.date_ns.end() ? -1 : date->second), (long long)first);
      }
      for (const Delivery& d : r.deliveries) {
        std::fprintf(f, "d %lld %lld %d\n", (long long)d.event_id, (long long)d.arrival_ns, d.stream);
      }
      std::fclose(f);
    }
  }
  std::vector<double> latency, spread, probe_latency, probe_spread;
  latency.reserve(r.deliveries.size());
  spread.reserve(r.deliveries.size());
  const int probes_from = std::max(0, clients - 10);
  size_t undated = 0;
  for (const Delivery& d : r.deliveries) {
    double s = double(d.arrival_ns - r.first_ns[d.event_id]) / 1e6;
    spread.push_back(s);
    if (d.stream >= probes_from) probe_spread.push_back(s);
    auto date = r.date_ns.find(d.event_id);
    if (date == r.date_ns.end()) {
      ++undated;
      continue;
    }
    double l = double(d.arrival_ns - date->second) / 1e6;
    latency.push_back(l);
    if (d.stream >= probes_from) probe_latency.push_back(l);
  }
  int still_open = 0;
  for (const Stream& s : r.streams) still_open += s.open;
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  double cpu = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
               double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  int timed = 0;
  for (const Stream& s : r.streams) timed += s.timed;
  std::printf("{\"connected\":%d,\"open_at_end\":%d,\"deliveries\":%zu,\"events\":%zu,"
              "\"undated\":%zu,\"reader_cpu_s\":%.3f,\"bytes_read\":%lld,\"timed_streams\":%d,"
              "\"gzip\":%s,",
              r.connected, still_open, r.deliveries.size(), r.first_ns.size(), undated, cpu,
              (long long)r.bytes_read, timed, r.want_gzip ? "true" : "false");
  PrintPercentiles("latency", Of(std::move(latency)), false);
  PrintPercentiles("spread", Of(std::move(spread)), false);
  PrintPercentiles("last10_latency", Of(std::move(probe_latency)), false);
  PrintPercentiles("last10_spread", Of(std::move(probe_spread)), true);
  std::printf("}\n");
  return 0;
}

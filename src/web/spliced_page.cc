#include "web/spliced_page.h"

namespace pb::web {
namespace {

// "<\x01" then the hole's digit then "\x01>".
constexpr std::string_view kMarkers[kHoleKinds] = {
    std::string_view("<\x01" "0\x01>", 5),
    std::string_view("<\x01" "1\x01>", 5),
    std::string_view("<\x01" "2\x01>", 5),
};
constexpr std::string_view kMarkerStart("<\x01", 2);

}  // namespace

std::string_view HoleMarker(Hole hole) { return kMarkers[static_cast<size_t>(hole)]; }

std::optional<SplicedPage> SplicedPage::Cut(http::Response rendered) {
  SplicedPage page;
  std::string_view body = rendered.body;
  size_t from = 0;
  for (size_t at = body.find(kMarkerStart); at != std::string_view::npos;
       at = body.find(kMarkerStart, from)) {
    std::string_view rest = body.substr(at);
    size_t kind = rest.size() >= 5 ? static_cast<size_t>(rest[2] - '0') : kHoleKinds;
    if (kind >= kHoleKinds || rest.substr(0, 5) != kMarkers[kind]) return std::nullopt;
    page.text.emplace_back(body.substr(from, at - from));
    page.holes.push_back(static_cast<Hole>(kind));
    from = at + 5;
  }
  if (page.holes.empty()) return std::nullopt;
  page.text.emplace_back(body.substr(from));
  for (const auto& t : page.text) page.text_bytes += t.size();
  rendered.body.clear();
  rendered.shared_body.reset();
  page.head = std::move(rendered);
  return page;
}

http::Response SplicedPage::Fill(const std::function<std::string(Hole)>& fill) const {
  std::array<std::optional<std::string>, kHoleKinds> values;
  size_t bytes = text_bytes;
  for (Hole h : holes) {
    auto& v = values[static_cast<size_t>(h)];
    if (!v) v = fill(h);
    bytes += v->size();
  }
  http::Response r = head;
  r.body.reserve(bytes);
  for (size_t i = 0; i < holes.size(); ++i) {
    r.body += text[i];
    r.body += *values[static_cast<size_t>(holes[i])];
  }
  r.body += text.back();
  return r;
}

std::shared_ptr<const SplicedPage> SplicedPageCache::Get(const std::string& key, int64_t generation) {
  std::shared_ptr<const SplicedPage> page;
  return cache_.Lookup(key, generation, &page) ? page : nullptr;
}

void SplicedPageCache::Put(const std::string& key, int64_t generation, SplicedPage page) {
  size_t cost = key.size() + page.text_bytes + 64 * page.text.size();
  cache_.Put(key, generation, std::make_shared<const SplicedPage>(std::move(page)), cost);
}

}  // namespace pb::web

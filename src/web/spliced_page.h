// A rendered page kept per data generation with holes where it differs per
// visitor: the navbar's account links, the CSRF token of its forms, the
// visitor's own bundles. A logged-in request then costs the visitor's
// parts and one copy of the page instead of a full render.
//
// Exact by construction: the page is rendered once with a marker in each
// hole (web/pages.h's VisitorParts::Markers) and cut at the markers; a
// request fills the holes with what the full render would have put there.
// A marker starts with '<' followed by a control character, which no
// escaped text contains and no template writes; a render in which the
// markers are not all found whole is not kept.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/generation_cache.h"
#include "http/server.h"

namespace pb::web {

enum class Hole : uint8_t {
  kAccountNav,    // the navbar's account links (templates::kAccountNav)
  kCsrfToken,     // a form's csrfmiddlewaretoken value
  kBundleChoice,  // the list's "Add to bundle" row (the visitor's bundles)
};
inline constexpr size_t kHoleKinds = 3;

// What a render writes in place of `hole` when the page is to be kept.
std::string_view HoleMarker(Hole hole);

struct SplicedPage {
  std::vector<std::string> text;  // text.size() == holes.size() + 1
  std::vector<Hole> holes;
  http::Response head;  // status and headers; no body
  size_t text_bytes = 0;

  // Cuts `rendered` at its markers; nullopt when a marker is broken or
  // there is none to cut at.
  static std::optional<SplicedPage> Cut(http::Response rendered);

  // The page with every hole filled: `fill(hole)` is asked once per kind
  // present (so a page without a CSRF hole never makes a token).
  http::Response Fill(const std::function<std::string(Hole)>& fill) const;
};

// The kept pages of a server, shared by its threads and bounded in bytes.
class SplicedPageCache {
 public:
  explicit SplicedPageCache(size_t max_bytes = size_t{32} << 20) : cache_(max_bytes) {}
  std::shared_ptr<const SplicedPage> Get(const std::string& key, int64_t generation);
  void Put(const std::string& key, int64_t generation, SplicedPage page);

 private:
  GenerationCache<SplicedPage> cache_;
};

}  // namespace pb::web

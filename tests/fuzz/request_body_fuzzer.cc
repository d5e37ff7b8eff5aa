// libFuzzer target: any bytes as a PUT/PATCH/POST body through api/request_body
// (JSON, form and multipart parsers), the first byte choosing the
// Content-Type, then the accessors the write views use.
// Built by scripts/fuzz.sh with clang, ASan and UBSan.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "api/request_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* const kTypes[] = {
      "application/json",
      "application/json; charset=utf-8",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=xyz",
      "multipart/form-data; boundary=\"a b\"",
      "multipart/form-data",
      "text/plain",
      "",
  };
  pb::http::Request req;
  req.method = "PATCH";
  req.target = req.path = "/api/patches/1/";
  req.headers.emplace_back("content-type", kTypes[data[0] % (sizeof kTypes / sizeof *kTypes)]);
  req.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto parsed = pb::api::ParseRequestBody(req, "GET, PUT, PATCH");
  if (auto* d = std::get_if<pb::api::RequestData>(&parsed)) {
    for (const char* name : {"state", "delegate", "commit_ref", "archived", "patches", "name", "public"}) {
      (void)d->Get(name);
      if (d->is_form()) {
        (void)d->GetList(name);
        (void)d->Nested(name).Has("id");
      }
    }
    (void)pb::api::RequestData::PyTypeName(d->json());
  }
  return 0;
}

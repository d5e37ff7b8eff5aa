// Request and Response helpers live apart from server.cc so that code using
// them (the API, its tests) never pulls in Beast.
#include "http/server.h"

namespace pb::http {

std::string_view Request::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

void FinishResponse(Response& r, const std::function<void(Response&)>& finish) {
  finish(r);
  if (r.defer) {
    r.defer = [work = std::move(r.defer), finish](const Request& req) {
      Response answered = work(req);
      FinishResponse(answered, finish);
      return answered;
    };
  }
  if (!r.offload) return;
  r.offload = [work = std::move(r.offload), finish]() -> std::function<Response()> {
    std::function<Response()> then = work();
    if (!then) return then;
    return [then = std::move(then), finish]() {
      Response answered = then();
      FinishResponse(answered, finish);
      return answered;
    };
  };
}

}  // namespace pb::http

#include "webhooks/http_post.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

namespace pb::webhooks {
namespace {

// A receiver's answer is not kept: its first bytes go into the log.
size_t KeepHead(char* data, size_t size, size_t n, void* user) {
  auto* s = static_cast<std::string*>(user);
  if (s->size() < 200) s->append(data, std::min(size * n, 200 - s->size()));
  return size * n;
}

}  // namespace

struct PostPump::Transfer {
  uint64_t tag = 0;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::string body;  // libcurl reads it in place
  std::string url;
  std::string response_head;
  char error[CURL_ERROR_SIZE] = "";
  Micros started = 0;
};

PostPump::PostPump(const PostLimits& limits) : limits_(limits) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  multi_ = curl_multi_init();
}

PostPump::~PostPump() {
  for (Transfer* t : transfers_) {
    curl_multi_remove_handle(static_cast<CURLM*>(multi_), t->easy);
    curl_easy_cleanup(t->easy);
    curl_slist_free_all(t->headers);
    delete t;
  }
  curl_multi_cleanup(static_cast<CURLM*>(multi_));
}

void PostPump::Add(uint64_t tag, const Post& p) {
  auto* t = new Transfer;
  t->tag = tag;
  t->body = p.body;
  t->url = p.url;
  t->started = NowMicros();
  CURL* e = t->easy = curl_easy_init();
  for (const auto& [name, value] : p.headers) {
    t->headers = curl_slist_append(t->headers, (name + ": " + value).c_str());
  }
  t->headers = curl_slist_append(t->headers, "Expect:");  // no 100-continue round trip
  curl_easy_setopt(e, CURLOPT_URL, t->url.c_str());
  curl_easy_setopt(e, CURLOPT_POST, 1L);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body.data());
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->body.size()));
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, limits_.connect_timeout_ms);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, limits_.total_timeout_ms);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, KeepHead);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &t->response_head);
  // Web URLs only, and no redirects: a receiver answers where it is.
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_PRIVATE, t);
  curl_multi_add_handle(static_cast<CURLM*>(multi_), e);
  transfers_.push_back(t);
}

std::vector<std::pair<uint64_t, PostResult>> PostPump::Run(int wait_ms) {
  std::vector<std::pair<uint64_t, PostResult>> done;
  auto* multi = static_cast<CURLM*>(multi_);
  if (transfers_.empty()) return done;
  int running = 0;
  curl_multi_perform(multi, &running);
  if (running == static_cast<int>(transfers_.size())) {
    curl_multi_poll(multi, nullptr, 0, wait_ms, nullptr);
    curl_multi_perform(multi, &running);
  }
  int left = 0;
  while (CURLMsg* m = curl_multi_info_read(multi, &left)) {
    if (m->msg != CURLMSG_DONE) continue;
    Transfer* t = nullptr;
    curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &t);
    PostResult r;
    r.started = t->started;
    r.duration_us = NowMicros() - t->started;
    curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &r.status);
    if (m->data.result != CURLE_OK) {
      r.error = *t->error ? t->error : curl_easy_strerror(m->data.result);
      r.status = 0;
    } else if (r.status < 200 || r.status >= 300) {
      r.error = "HTTP " + std::to_string(r.status);
      std::string head;
      for (char ch : t->response_head) head += (ch >= 0x20 && ch < 0x7f) ? ch : ' ';
      if (!head.empty()) r.error += ": " + head;
    }
    done.emplace_back(t->tag, std::move(r));
    curl_multi_remove_handle(multi, t->easy);
    curl_easy_cleanup(t->easy);
    curl_slist_free_all(t->headers);
    transfers_.erase(std::find(transfers_.begin(), transfers_.end(), t));
    delete t;
  }
  return done;
}

}  // namespace pb::webhooks

#include "cli/parse_ahead.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "mail/mailbox.h"

namespace pb::cli {
namespace {

// Bounded, so that memory stays a few MB however far the parser is ahead:
// 64 mails parsed and not yet stored at most, these and kTakeMails.
constexpr size_t kQueueMails = 48;
// A thread that had to wait is woken once the other has made room for, or
// queued, a run of mails, not for every one: the store thread is usually the
// slower, and waking the parser at each Pop of a full queue cost a futex
// wake and two context switches per mail (kernel time in both threads).
constexpr size_t kWakeProducerAt = kQueueMails / 2;  // queued mails left
constexpr size_t kWakeConsumerAt = 8;                // mails queued
// The store thread takes up to this many mails each time it takes the lock.
// Taking one at a time, it held the lock once per mail as the parser did,
// and the two met there often enough that 1,700 futex calls and 1,600
// context switches went with an import of 5,000 mails (docs/performance.md,
// "parsearchive, round 12").
constexpr size_t kTakeMails = 16;

class MailQueue {
 public:
  MailQueue() : ring_(kQueueMails) {}
  // False when the consumer has gone. Takes what the consumer handed back
  // into `done`, for the caller to free outside the lock.
  bool Push(ParsedArchiveMail m, ParsedMailsDone& done) {
    std::unique_lock lock(mu_);
    if (!done_by_consumer_.empty()) std::swap(done, done_by_consumer_);
    if (!closed_ && queued_ >= kQueueMails) {
      producer_waiting_ = true;
      not_full_.wait(lock, [&] { return closed_ || queued_ <= kWakeProducerAt; });
      producer_waiting_ = false;
    }
    if (closed_) return false;
    ring_[(first_ + queued_) % kQueueMails].emplace(std::move(m));
    ++queued_;
    if (consumer_waiting_ && queued_ >= kWakeConsumerAt) not_empty_.notify_one();
    return true;
  }
  // nullptr once the producer is done and every mail has been taken. Hands
  // `done` over to the producer (leaving it empty) each time it takes the
  // lock. The mail stays valid until the next call.
  ParsedArchiveMail* Pop(ParsedMailsDone& done) {
    if (next_taken_ < taken_.size()) return &taken_[next_taken_++];
    taken_.clear();
    next_taken_ = 0;
    std::unique_lock lock(mu_);
    GiveBack(done);
    if (queued_ == 0 && !done_) {
      consumer_waiting_ = true;
      not_empty_.wait(lock, [&] { return done_ || queued_ >= kWakeConsumerAt; });
      consumer_waiting_ = false;
    }
    if (queued_ == 0) return nullptr;
    const size_t n = std::min(queued_, kTakeMails);
    for (size_t i = 0; i < n; ++i) {
      std::optional<ParsedArchiveMail>& slot = ring_[first_];
      taken_.push_back(std::move(*slot));
      slot.reset();
      first_ = (first_ + 1) % kQueueMails;
      --queued_;
    }
    if (producer_waiting_ && queued_ <= kWakeProducerAt) not_full_.notify_one();
    return &taken_[next_taken_++];
  }
  void ProducerDone() {
    std::lock_guard lock(mu_);
    done_ = true;
    not_empty_.notify_all();
  }
  void ConsumerGone() {
    std::lock_guard lock(mu_);
    closed_ = true;
    for (auto& slot : ring_) slot.reset();
    queued_ = 0;
    not_full_.notify_all();
    taken_.clear();
  }

 private:
  // Under mu_. Moves are of vectors and strings: no allocation on the
  // store thread beyond a vector growing.
  void GiveBack(ParsedMailsDone& done) {
    if (done.empty()) return;
    if (done_by_consumer_.empty()) {
      std::swap(done_by_consumer_, done);
      return;
    }
    for (auto& m : done.mails) done_by_consumer_.mails.push_back(std::move(m));
    for (auto& r : done.raws) done_by_consumer_.raws.push_back(std::move(r));
    done.mails.clear();
    done.raws.clear();
  }

  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  // A ring rather than a deque: a deque allocated a node for each mail on
  // the parse thread and freed it on the store thread, whose free() then
  // waited for the parse thread's heap lock (a third of the import's futex
  // calls).
  std::vector<std::optional<ParsedArchiveMail>> ring_;
  size_t first_ = 0, queued_ = 0;
  bool done_ = false, closed_ = false;
  bool producer_waiting_ = false, consumer_waiting_ = false;
  ParsedMailsDone done_by_consumer_;
  // The consumer's own: taken under the lock, stored without it.
  std::vector<ParsedArchiveMail> taken_;
  size_t next_taken_ = 0;
};

}  // namespace

Status ForEachParsedMail(const std::string& path, const service::IngestOptions& options,
                         const std::function<bool(ParsedArchiveMail&)>& store, ParsedMailsDone* done) {
  MailQueue queue;
  Status read_status;
  std::thread reader([&] {
    ParsedMailsDone to_free;
    read_status = mail::ForEachMessage(path, [&](std::string_view raw) {
      ParsedArchiveMail m{std::string(raw), service::ParseForIngest(raw, options)};
      bool more = queue.Push(std::move(m), to_free);
      to_free = {};  // freed here, on the thread whose heap it came from
      return more;
    });
    queue.ProducerDone();
  });
  ParsedMailsDone own;
  ParsedMailsDone& handed = done ? *done : own;
  try {
    while (ParsedArchiveMail* m = queue.Pop(handed)) {
      if (!store(*m)) break;
    }
  } catch (...) {
    queue.ConsumerGone();
    reader.join();
    throw;
  }
  queue.ConsumerGone();
  reader.join();
  return read_status;
}

}  // namespace pb::cli

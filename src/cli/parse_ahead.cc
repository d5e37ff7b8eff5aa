#include "cli/parse_ahead.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "mail/mailbox.h"

namespace pb::cli {
namespace {

// Bounded, so that memory stays a few MB however far the parser is ahead.
constexpr size_t kQueueMails = 64;
// A thread that had to wait is woken once the other has made room for, or
// queued, a run of mails, not for every one: the store thread is usually the
// slower, and waking the parser at each Pop of a full queue cost a futex
// wake and two context switches per mail (kernel time in both threads).
constexpr size_t kWakeProducerAt = kQueueMails / 2;  // queued mails left
constexpr size_t kWakeConsumerAt = 8;                // mails queued

class MailQueue {
 public:
  // False when the consumer has gone. Takes what the consumer handed back
  // into `done`, for the caller to free outside the lock.
  bool Push(ParsedArchiveMail m, ParsedMailsDone& done) {
    std::unique_lock lock(mu_);
    if (!done_by_consumer_.empty()) std::swap(done, done_by_consumer_);
    if (!closed_ && items_.size() >= kQueueMails) {
      producer_waiting_ = true;
      not_full_.wait(lock, [&] { return closed_ || items_.size() <= kWakeProducerAt; });
      producer_waiting_ = false;
    }
    if (closed_) return false;
    items_.push_back(std::move(m));
    if (consumer_waiting_ && items_.size() >= kWakeConsumerAt) not_empty_.notify_one();
    return true;
  }
  // nullopt once the producer is done and the queue is empty. Hands `done`
  // over to the producer (leaving it empty).
  std::optional<ParsedArchiveMail> Pop(ParsedMailsDone& done) {
    std::unique_lock lock(mu_);
    GiveBack(done);
    if (items_.empty() && !done_) {
      consumer_waiting_ = true;
      not_empty_.wait(lock, [&] { return done_ || items_.size() >= kWakeConsumerAt; });
      consumer_waiting_ = false;
    }
    if (items_.empty()) return std::nullopt;
    ParsedArchiveMail m = std::move(items_.front());
    items_.pop_front();
    if (producer_waiting_ && items_.size() <= kWakeProducerAt) not_full_.notify_one();
    return m;
  }
  void ProducerDone() {
    std::lock_guard lock(mu_);
    done_ = true;
    not_empty_.notify_all();
  }
  void ConsumerGone() {
    std::lock_guard lock(mu_);
    closed_ = true;
    items_.clear();
    not_full_.notify_all();
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
  std::deque<ParsedArchiveMail> items_;
  bool done_ = false, closed_ = false;
  bool producer_waiting_ = false, consumer_waiting_ = false;
  ParsedMailsDone done_by_consumer_;
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
    while (auto m = queue.Pop(handed)) {
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

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
  // False when the consumer has gone.
  bool Push(ParsedArchiveMail m) {
    std::unique_lock lock(mu_);
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
  // nullopt once the producer is done and the queue is empty.
  std::optional<ParsedArchiveMail> Pop() {
    std::unique_lock lock(mu_);
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
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<ParsedArchiveMail> items_;
  bool done_ = false, closed_ = false;
  bool producer_waiting_ = false, consumer_waiting_ = false;
};

}  // namespace

Status ForEachParsedMail(const std::string& path, const service::IngestOptions& options,
                         const std::function<bool(ParsedArchiveMail&)>& store) {
  MailQueue queue;
  Status read_status;
  std::thread reader([&] {
    read_status = mail::ForEachMessage(path, [&](std::string_view raw) {
      ParsedArchiveMail m{std::string(raw), service::ParseForIngest(raw, options)};
      return queue.Push(std::move(m));
    });
    queue.ProducerDone();
  });
  try {
    while (auto m = queue.Pop()) {
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

#include "notify/transport.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <mutex>

#include "notify/libcurl.h"

extern char** environ;

namespace pb::notify {
namespace {

struct Upload {
  const std::string* data;
  size_t offset = 0;
};

size_t ReadChunk(char* buf, size_t size, size_t n, void* user) {
  auto* u = static_cast<Upload*>(user);
  size_t left = u->data->size() - u->offset;
  size_t take = std::min(left, size * n);
  std::memcpy(buf, u->data->data() + u->offset, take);
  u->offset += take;
  return take;
}

Status DeliverSmtp(const MailConfig& c, const std::string& sender,
                   const std::vector<std::string>& recipients, const std::string& message) {
  std::string load_error;
  const LibCurl* lib = LoadLibCurl(&load_error);
  if (!lib) return Status::Io("SMTP: " + load_error);
  static std::once_flag once;
  std::call_once(once, [lib] { lib->curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURL* curl = lib->curl_easy_init();
  if (!curl) return Status::Internal("curl_easy_init failed");
  std::string url = (c.smtp_security == Security::kTls ? "smtps://" : "smtp://") + c.smtp_host +
                    ":" + std::to_string(c.port());
  curl_slist* rcpt = nullptr;
  for (const auto& r : recipients) rcpt = lib->curl_slist_append(rcpt, ("<" + r + ">").c_str());
  std::string from = "<" + sender + ">";
  Upload up{&message};
  char error[CURL_ERROR_SIZE] = "";
  lib->curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  lib->curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  lib->curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  lib->curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadChunk);
  lib->curl_easy_setopt(curl, CURLOPT_READDATA, &up);
  lib->curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  // The message has LF line ends; SMTP wants CRLF. libcurl also dot-stuffs.
  lib->curl_easy_setopt(curl, CURLOPT_CRLF, 1L);
  lib->curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  lib->curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  lib->curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, static_cast<long>(c.smtp_timeout_seconds));
  lib->curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(c.smtp_timeout_seconds) * 2);
  if (c.smtp_security == Security::kStartTls) lib->curl_easy_setopt(curl, CURLOPT_USE_SSL, CURLUSESSL_ALL);
  if (!c.smtp_user.empty()) {
    lib->curl_easy_setopt(curl, CURLOPT_USERNAME, c.smtp_user.c_str());
    lib->curl_easy_setopt(curl, CURLOPT_PASSWORD, c.smtp_password.c_str());
  }
  CURLcode rc = lib->curl_easy_perform(curl);
  long code = 0;
  lib->curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  lib->curl_slist_free_all(rcpt);
  lib->curl_easy_cleanup(curl);
  if (rc == CURLE_OK) return Status::Ok();
  std::string why = *error ? error : lib->curl_easy_strerror(rc);
  if (code) why += " (SMTP " + std::to_string(code) + ")";
  return Status::Io(url + ": " + why);
}

Status DeliverSendmail(const MailConfig& c, const std::string& sender,
                       const std::vector<std::string>& recipients, const std::string& message) {
  // sendmail -oi: a line with a single dot does not end the message.
  std::vector<std::string> argv_s = {c.sendmail, "-oi", "-f", sender, "--"};
  argv_s.insert(argv_s.end(), recipients.begin(), recipients.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Status::Io("pipe: " + std::string(strerror(errno)));
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
  pid_t pid = 0;
  int err = posix_spawn(&pid, c.sendmail.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[0]);
  if (err != 0) {
    close(fds[1]);
    return Status::Io("cannot run " + c.sendmail + ": " + strerror(err));
  }
  // A sendmail that exits early must not kill us with SIGPIPE.
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  size_t off = 0;
  while (off < message.size()) {
    ssize_t n = write(fds[1], message.data() + off, message.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  close(fds[1]);
  struct timespec zero = {0, 0};
  while (sigtimedwait(&block, nullptr, &zero) > 0) {}
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (off < message.size()) return Status::Io(c.sendmail + " stopped reading the message");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Status::Io(c.sendmail + " failed with status " +
                      std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1));
  }
  return Status::Ok();
}

}  // namespace

Status Deliver(const MailConfig& c, const std::string& sender,
               const std::vector<std::string>& recipients, const std::string& message) {
  switch (c.transport) {
    case Transport::kSmtp: return DeliverSmtp(c, sender, recipients, message);
    case Transport::kSendmail: return DeliverSendmail(c, sender, recipients, message);
    case Transport::kNone: break;
  }
  return Status::Io("no mail transport is configured");
}

}  // namespace pb::notify

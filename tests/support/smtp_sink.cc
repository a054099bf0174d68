#include "tests/support/smtp_sink.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace crm::testing {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<std::unique_ptr<SmtpSink>> SmtpSink::Start() {
  auto dir = std::make_unique<TempDir>();
  const std::string mail = dir->path() + "/mail";
  const std::string port_file = dir->path() + "/port";
  std::filesystem::create_directory(mail);
  absl::StatusOr<std::unique_ptr<ChildProcess>> process = ChildProcess::Start(
      "/usr/bin/python3", {CRM_SMTP_SINK_SCRIPT, mail, port_file}, dir->path() + "/sink.log");
  if (!process.ok()) return process.status();
  absl::StatusOr<std::pair<int, int>> ports = (*process)->WaitForPorts(port_file);
  if (!ports.ok()) return ports.status();
  return std::unique_ptr<SmtpSink>(new SmtpSink(std::move(dir), std::move(*process), ports->first));
}

std::string SmtpSink::url() const { return absl::StrCat("smtp://127.0.0.1:", port_); }

std::string SmtpSink::MailDir() const { return dir_->path() + "/mail"; }

std::vector<ReceivedMail> SmtpSink::Received() const {
  std::vector<std::filesystem::path> dirs;
  for (const auto& entry : std::filesystem::directory_iterator(MailDir())) {
    // ".NNNNNN" is a message still being written.
    if (entry.path().filename().string().front() != '.') dirs.push_back(entry.path());
  }
  std::sort(dirs.begin(), dirs.end());
  std::vector<ReceivedMail> received;
  for (const auto& dir : dirs) {
    ReceivedMail mail;
    mail.mail_from = ReadFile(dir / "mail_from");
    mail.rcpt_to = absl::StrSplit(ReadFile(dir / "rcpt_to"), '\n', absl::SkipEmpty());
    mail.from = ReadFile(dir / "from");
    mail.to = ReadFile(dir / "to");
    mail.subject = ReadFile(dir / "subject");
    mail.body = ReadFile(dir / "body");
    mail.message_id = ReadFile(dir / "message_id");
    mail.raw = ReadFile(dir / "raw.eml");
    received.push_back(std::move(mail));
  }
  return received;
}

bool SmtpSink::WaitForCount(size_t count, absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    size_t have = 0;
    for (const auto& entry : std::filesystem::directory_iterator(MailDir())) {
      if (entry.path().filename().string().front() != '.') ++have;
    }
    if (have >= count) return true;
    if (absl::Now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace crm::testing

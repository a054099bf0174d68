#include "libs/webhook/testing.h"

#include <cstring>

#include "libs/webhook/webhook.h"

namespace crm::webhook::testing {

Receiver::Receiver(std::string secret, int answer) : secret_(std::move(secret)), answer_(answer) {
  const char* options[] = {"listening_ports", "127.0.0.1:0", "num_threads", "2", nullptr};
  mg_callbacks callbacks;
  std::memset(&callbacks, 0, sizeof(callbacks));
  ctx_ = mg_start(&callbacks, nullptr, options);
  mg_set_request_handler(ctx_, "/hook", &Receiver::Handle, this);
  mg_server_port ports[1];
  mg_get_server_ports(ctx_, 1, ports);
  port_ = ports[0].port;
}

Receiver::~Receiver() { mg_stop(ctx_); }

std::string Receiver::url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/hook";
}

void Receiver::SetAnswer(int answer) {
  absl::MutexLock lock(&mu_);
  answer_ = answer;
}

std::vector<Receiver::Delivery> Receiver::Received() {
  absl::MutexLock lock(&mu_);
  return received_;
}

bool Receiver::WaitForCount(size_t count, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto arrived = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return received_.size() >= count; };
  return mu_.AwaitWithTimeout(absl::Condition(&arrived), timeout);
}

int Receiver::Handle(mg_connection* conn, void* data) {
  auto* self = static_cast<Receiver*>(data);
  std::string body;
  char buffer[4096];
  for (int n; (n = mg_read(conn, buffer, sizeof(buffer))) > 0;) body.append(buffer, n);
  auto header = [&](const char* name) {
    const char* value = mg_get_header(conn, name);
    return std::string(value == nullptr ? "" : value);
  };
  Delivery delivery{.event_id = header(kEventIdHeader),
                    .body = body,
                    .check = Verify(self->secret_, header(kTimestampHeader),
                                    header(kSignatureHeader), body, absl::Now(),
                                    absl::Minutes(5))};
  int answer = 0;
  {
    absl::MutexLock lock(&self->mu_);
    self->received_.push_back(std::move(delivery));
    answer = self->answer_;
  }
  const std::string reply = R"({"reference":"R-1"})";
  mg_printf(conn, "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
            answer, reply.size(), reply.c_str());
  return answer;
}

}  // namespace crm::webhook::testing

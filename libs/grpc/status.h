// Errors below the RPC edge travel as absl::Status values. This header builds them with
// machine-readable details (an ErrorInfo reason and BadRequest field violations stored as
// status payloads) and turns them into grpc::Status once, at the edge, with a
// google.rpc.Status in the error details. SQL text never reaches a client: only the
// message given here does.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include <grpcpp/support/status.h>

namespace crm {

struct FieldViolation {
  std::string field;        // e.g. "customer.phones[1]"
  std::string description;  // e.g. "not a valid phone number"
};

// An error with an UPPER_SNAKE reason, e.g. Error(kAborted, "ETAG_MISMATCH", "...").
absl::Status Error(absl::StatusCode code, std::string_view reason, std::string_view message);

// INVALID_ARGUMENT with reason INVALID_ARGUMENT and the given field violations.
absl::Status InvalidArgument(std::string_view message, std::vector<FieldViolation> violations);
absl::Status InvalidField(std::string_view field, std::string_view description);

// The reason attached by Error(), or "" when there is none.
std::string ErrorReason(const absl::Status& status);

// ErrorInfo.metadata: machine-readable facts a client acts on, e.g. the earliest sequence
// an event feed still has. WithErrorMetadata adds `key` to the status's ErrorInfo (making
// one, with a reason derived from the code, when it has none); ErrorMetadata reads it back
// ("" when absent), also from a status that came through FromGrpcStatus.
absl::Status WithErrorMetadata(absl::Status status, std::string_view key, std::string_view value);
std::string ErrorMetadata(const absl::Status& status, std::string_view key);
std::vector<FieldViolation> FieldViolations(const absl::Status& status);

// Attaches a google.rpc.RetryInfo saying when the call may be retried (for
// RESOURCE_EXHAUSTED and UNAVAILABLE), and reads it back (zero when absent).
absl::Status WithRetryDelay(absl::Status status, absl::Duration delay);
absl::Duration RetryDelay(const absl::Status& status);

// Collects violations while validating a request; ToStatus() is OK when there are none.
class Violations final {
 public:
  void Add(std::string field, std::string description) {
    items_.push_back({std::move(field), std::move(description)});
  }
  bool empty() const { return items_.empty(); }
  absl::Status ToStatus(std::string_view message = "request has invalid fields") const;

 private:
  std::vector<FieldViolation> items_;
};

// The edge conversion. `domain` (e.g. "customers.crm") fills ErrorInfo.domain. Errors
// without a reason get one derived from the code (e.g. "INTERNAL"). Payloads under other
// "type.googleapis.com/..." URLs (typed details FromGrpcStatus kept) become details too.
grpc::Status ToGrpcStatus(const absl::Status& status, std::string_view domain);

// The reverse, for clients and tests: reads the google.rpc.Status in error_details. Details
// other than ErrorInfo, BadRequest and RetryInfo are kept as payloads under their type URL,
// so a service that returns another's error as its own passes them on.
absl::Status FromGrpcStatus(const grpc::Status& status);

// Calls to other services of the suite, in one place so that every service tells its clients
// the same thing when a peer fails.
//
// A failed call is transient when trying it again unchanged may succeed: the peer could not be
// reached or was draining (UNAVAILABLE), did not answer in time (DEADLINE_EXCEEDED), or shed
// load (RESOURCE_EXHAUSTED, with a retry delay). Nothing else gets better by waiting.
bool IsTransient(const absl::Status& status);

// Which of a peer's non-transient errors a service passes on as its own.
enum class PeerErrors {
  // A lookup (is this customer or product there for this user?): NOT_FOUND stays, with its
  // reason; anything else is INTERNAL with reason PEER_REFUSED, since a refused lookup means
  // this service asked wrongly or is not allowed to ask (a deployment mistake the client
  // cannot fix) and the peer's words would name fields the client never sent.
  kNotFoundOnly,
  // A change made on the user's behalf (CreateCustomer when converting a lead): the peer's
  // refusal is the user's to fix, so it is kept whole, typed details included.
  kAll,
};

// The answer of a peer, e.g. FromPeer(stub->GetCustomer(...), "the customers service",
// "CUSTOMERS_UNAVAILABLE"), in this service's terms: OK stays OK; a transient failure is
// UNAVAILABLE with `unavailable_reason` and a message saying to try again (the peer's own words
// would mislead: the client did not call it; the peer's retry delay is kept); the rest as
// `pass_on` says. The absl::Status
// overload takes what a client library (libs/auth/directory.h) already converted.
absl::Status FromPeer(const grpc::Status& status, std::string_view peer,
                      std::string_view unavailable_reason,
                      PeerErrors pass_on = PeerErrors::kNotFoundOnly);
absl::Status FromPeer(absl::Status status, std::string_view peer,
                      std::string_view unavailable_reason,
                      PeerErrors pass_on = PeerErrors::kNotFoundOnly);

}  // namespace crm

// Evaluates an absl::Status expression and returns it from the caller when not OK.
#define CRM_RETURN_IF_ERROR(expr)                  \
  do {                                             \
    if (absl::Status _st = (expr); !_st.ok()) {    \
      return _st;                                  \
    }                                              \
  } while (0)

#define CRM_STATUS_CONCAT_INNER(a, b) a##b
#define CRM_STATUS_CONCAT(a, b) CRM_STATUS_CONCAT_INNER(a, b)
// Assigns the value of an absl::StatusOr expression to `lhs`, or returns its error.
#define CRM_ASSIGN_OR_RETURN(lhs, expr) \
  CRM_ASSIGN_OR_RETURN_IMPL(CRM_STATUS_CONCAT(_statusor_, __LINE__), lhs, expr)
#define CRM_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

#include "libs/db/idempotency.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/base/hash.h"
#include "libs/grpc/status.h"

namespace crm::db {
IdempotencyKey KeyFor(std::string_view method, const google::protobuf::Message& request,
                      std::string_view scope) {
  std::unique_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  const auto* field = copy->GetDescriptor()->FindFieldByName("request_id");
  std::string request_id;
  if (field != nullptr) {
    request_id = copy->GetReflection()->GetString(*copy, field);
    copy->GetReflection()->ClearField(copy.get(), field);
  }
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    copy->SerializeToCodedStream(&out);
  }
  std::string hash = Sha256Hex(bytes);
  // Scoped: the hash of the request's hash and the scope (the form stored keys already
  // have, so retries across an upgrade still replay).
  if (!scope.empty()) hash = Sha256Hex(absl::StrCat(hash, "\n", std::string(scope)));
  return {std::move(request_id), std::string(method), std::move(hash)};
}

absl::StatusOr<std::optional<std::string>> FindReplay(Session& tx, const IdempotencyKey& key) {
  if (key.request_id.empty()) return std::nullopt;
  CRM_ASSIGN_OR_RETURN(Rows rows, tx.Query(kFindReplaySql, {key.request_id}));
  if (rows.empty()) return std::nullopt;
  if (rows[0].Str(0) != key.method || rows[0].Str(1) != key.request_hash) {
    return Error(absl::StatusCode::kAlreadyExists, "REQUEST_ID_REUSED",
                 "request_id was already used for a different request");
  }
  return rows[0].Str(2);
}

absl::StatusOr<bool> Replay(Session& tx, const IdempotencyKey& key,
                            google::protobuf::Message* response) {
  CRM_ASSIGN_OR_RETURN(std::optional<std::string> stored, FindReplay(tx, key));
  if (!stored) return false;
  if (!response->ParseFromString(*stored)) {
    return absl::InternalError("a stored idempotent response is unreadable");
  }
  return true;
}

absl::Status RecordResult(Session& tx, const IdempotencyKey& key, const std::string& response) {
  if (key.request_id.empty()) return absl::OkStatus();
  return tx
      .Execute(kRecordResultSql, {key.request_id, key.method, key.request_hash, response,
                                  FormatDateTime(absl::Now())})
      .status();
}

absl::Status InIdempotentTransaction(Pool& pool,
                                     const std::function<absl::Status(Transaction&)>& body) {
  absl::Status status = pool.InTransaction(body);
  if (status.code() == absl::StatusCode::kAlreadyExists &&
      ErrorReason(status) != "REQUEST_ID_REUSED") {
    status = pool.InTransaction(body);
  }
  return status;
}

}  // namespace crm::db

#include "libs/grpc/tls.h"

#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>

#include <fstream>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"

namespace crm {
namespace {

using grpc::experimental::FileWatcherCertificateProvider;

absl::Mutex default_mu;
// Made once: the credentials' file watcher serves every channel of the process.
std::shared_ptr<grpc::ChannelCredentials>* default_credentials ABSL_GUARDED_BY(default_mu) =
    nullptr;

std::string ClientCert(const TlsOptions& o) {
  return o.client_cert.empty() ? o.server_cert : o.client_cert;
}
std::string ClientKey(const TlsOptions& o) {
  return o.client_cert.empty() ? o.server_key : o.client_key;
}

}  // namespace

TlsOptions ReadTlsFlags(config::Flags& flags) {
  TlsOptions o;
  o.server_cert = flags.String("tls_server_cert", "",
                               "PEM certificate chain the gRPC listener serves (empty: plaintext)");
  o.server_key = flags.String("tls_server_key", "", "PEM private key of --tls_server_cert");
  o.client_ca = flags.String(
      "tls_client_ca", "", "PEM CA: when set, every client must present a certificate it signed");
  o.ca = flags.String("tls_ca", "",
                      "PEM CA the suite's servers are verified against (when set, channels to "
                      "them use TLS)");
  o.client_cert = flags.String(
      "tls_client_cert", "", "PEM certificate presented to servers (default: --tls_server_cert)");
  o.client_key = flags.String("tls_client_key", "",
                              "PEM private key of --tls_client_cert (default: --tls_server_key)");
  o.reload_seconds = flags.Int("tls_reload_seconds", 60,
                               "how often the TLS files are checked for changes", 1, 3600);
  return o;
}

absl::Status CheckTlsFiles(const TlsOptions& o) {
  std::vector<std::string> problems;
  auto pair = [&](const std::string& cert, const std::string& key, const char* cert_flag,
                  const char* key_flag) {
    if (cert.empty() != key.empty()) {
      problems.push_back(absl::StrCat("--", cert_flag, " and --", key_flag, " go together"));
    }
  };
  pair(o.server_cert, o.server_key, "tls_server_cert", "tls_server_key");
  pair(o.client_cert, o.client_key, "tls_client_cert", "tls_client_key");
  if (!o.client_ca.empty() && o.server_cert.empty()) {
    problems.push_back("--tls_client_ca needs --tls_server_cert (client certificates need TLS)");
  }
  for (const std::string& file :
       {o.server_cert, o.server_key, o.client_ca, o.ca, o.client_cert, o.client_key}) {
    if (!file.empty() && !std::ifstream(file).good()) {
      problems.push_back(absl::StrCat("cannot read ", file));
    }
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
}

std::shared_ptr<grpc::ServerCredentials> ServerCredentials(const TlsOptions& o) {
  if (!o.serves_tls()) return grpc::InsecureServerCredentials();
  auto provider = o.client_ca.empty()
                      ? std::make_shared<FileWatcherCertificateProvider>(
                            o.server_key, o.server_cert, o.reload_seconds)
                      : std::make_shared<FileWatcherCertificateProvider>(
                            o.server_key, o.server_cert, o.client_ca, o.reload_seconds);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (o.client_ca.empty()) {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    options.watch_root_certs();
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials(const TlsOptions& o) {
  if (!o.dials_tls()) return grpc::InsecureChannelCredentials();
  const std::string cert = ClientCert(o);
  auto provider = cert.empty() ? std::make_shared<FileWatcherCertificateProvider>(
                                     o.ca, o.reload_seconds)
                               : std::make_shared<FileWatcherCertificateProvider>(
                                     ClientKey(o), cert, o.ca, o.reload_seconds);
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(provider);
  options.watch_root_certs();
  if (!cert.empty()) options.watch_identity_key_cert_pairs();
  // The chain and the host name are verified (the defaults), against the suite's CA only.
  options.set_verify_server_certs(true);
  return grpc::experimental::TlsCredentials(options);
}

void UseChannelTls(const TlsOptions& options) {
  auto credentials =
      std::make_unique<std::shared_ptr<grpc::ChannelCredentials>>(ChannelCredentials(options));
  absl::MutexLock lock(&default_mu);
  delete default_credentials;
  default_credentials = credentials.release();
}

std::shared_ptr<grpc::ChannelCredentials> DefaultChannelCredentials() {
  absl::MutexLock lock(&default_mu);
  if (default_credentials == nullptr) return grpc::InsecureChannelCredentials();
  return *default_credentials;
}

}  // namespace crm

// TLS for the suite's gRPC listeners and channels, from PEM files that are watched and reloaded
// when they change (a Kubernetes Secret updated by cert-manager reaches the mounted files
// within a minute; the next handshakes use the new certificate, connections already open keep
// theirs). With no files named, everything stays plaintext, as on a local loopback stack.
//
// One process has one set of settings (TlsOptions, read by ReadServerFlags with the other
// server flags):
// - its listener: --tls_server_cert/--tls_server_key serve TLS; with --tls_client_ca as well,
//   every client must present a certificate signed by that CA (mutual TLS: the services
//   require it from the gateway and from each other, the gateway does not, its clients are
//   apps with tokens);
// - the channels it opens to other servers of the suite (ServiceChannel): with --tls_ca they
//   use TLS and verify the server's certificate (chain and host name) against that CA,
//   presenting --tls_client_cert/--tls_client_key, or the server certificate when those are
//   not given (one certificate per service, valid for both ends).
// The certificates of the suite, their names and the CA: deploy/README.md ("TLS").
//
// The Prometheus /metrics port stays plain HTTP. A listener serving TLS cannot answer the
// kubelet's gRPC probes, which are plaintext: --health_port serves grpc.health.v1 alone on a
// plaintext port of its own (ServerRunner), and the probes use that.
#pragma once

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "libs/config/config.h"

namespace crm {

struct TlsOptions {
  std::string server_cert;  // PEM file of the listener's certificate chain; empty: plaintext
  std::string server_key;   // PEM file of its private key
  std::string client_ca;    // when set, clients must present a certificate signed by it
  std::string ca;           // when set, outgoing channels use TLS and trust this CA
  std::string client_cert;  // presented by outgoing channels; default server_cert
  std::string client_key;   // default server_key
  int reload_seconds = 60;  // how often the files are looked at for changes

  bool serves_tls() const { return !server_cert.empty(); }
  bool dials_tls() const { return !ca.empty(); }
};

// Reads --tls_server_cert, --tls_server_key, --tls_client_ca, --tls_ca, --tls_client_cert,
// --tls_client_key and --tls_reload_seconds (env CRM_TLS_*).
TlsOptions ReadTlsFlags(config::Flags& flags);

// Every named file can be read and the pairs are complete (a certificate without its key, a
// client CA without a server certificate): the problems, or OK.
absl::Status CheckTlsFiles(const TlsOptions& options);

// The listener's credentials: plaintext, TLS, or mutual TLS.
std::shared_ptr<grpc::ServerCredentials> ServerCredentials(const TlsOptions& options);

// The credentials of channels to the suite's servers: plaintext, or TLS (with a client
// certificate when one is configured).
std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials(const TlsOptions& options);

// Makes ServiceChannel (channel.h) use ChannelCredentials(options) from now on. Called once at
// start-up (ReadServerFlags does, so every server of the suite dials as it is configured),
// before any channel is made.
void UseChannelTls(const TlsOptions& options);

// What ServiceChannel uses: plaintext unless UseChannelTls was given a CA.
std::shared_ptr<grpc::ChannelCredentials> DefaultChannelCredentials();

}  // namespace crm

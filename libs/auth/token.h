// Access tokens: compact JWS (RFC 7515/7519) signed with Ed25519, header
// {"alg":"EdDSA","typ":"JWT","kid":...}. Only that exact algorithm is accepted: "none",
// HMAC and every other "alg" are rejected before any key is looked at, so a public key
// can never be used as an HMAC secret (algorithm confusion).
//
// Claims of a user's token: iss ("crm-auth"), sub ("users/{id}"), iat, exp (NumericDate),
// jti, sid (session id), name (username), role (the Role enum name), team ("teams/{id}" or
// absent), mteams (array of "teams/{id}" the user manages). A service's token
// (Principal::service set) has iss, sub ("services/{name}"), iat, exp, jti and "svc": true,
// and none of the user claims; Verify refuses any mix of the two.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/auth/principal.h"

namespace crm::auth {

inline constexpr std::string_view kIssuer = "crm-auth";
inline constexpr std::string_view kAlgorithm = "EdDSA";

// An Ed25519 private key with its key id. Move-only; the key material never leaves
// the auth service (its PEM is stored encrypted under a passphrase).
class SigningKey final {
 public:
  // A fresh random key; kid is derived from the public key (RFC 7638-style thumbprint).
  static absl::StatusOr<SigningKey> Generate();
  // Reads a PKCS#8 PEM encrypted with `passphrase` (as written by EncryptedPem).
  static absl::StatusOr<SigningKey> FromEncryptedPem(std::string_view pem,
                                                     std::string_view passphrase);

  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;
  ~SigningKey();

  const std::string& kid() const { return kid_; }
  // PKCS#8, AES-256-CBC under a key derived from `passphrase`.
  absl::StatusOr<std::string> EncryptedPem(std::string_view passphrase) const;
  // SubjectPublicKeyInfo PEM, for GetPublicKeys.
  std::string PublicPem() const;

  // Signs the claims of `principal` valid from `now` for `ttl`; sets jti at random.
  absl::StatusOr<std::string> Sign(const Principal& principal, absl::Time now,
                                   absl::Duration ttl) const;

 private:
  struct Impl;
  explicit SigningKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::string kid_;
};

// Public keys by kid. Not thread-safe by itself (TokenVerifier guards it).
class PublicKeySet final {
 public:
  PublicKeySet();
  PublicKeySet(PublicKeySet&&) noexcept;
  PublicKeySet& operator=(PublicKeySet&&) noexcept;
  ~PublicKeySet();

  // INVALID_ARGUMENT when the PEM is not an Ed25519 public key.
  absl::Status Add(std::string_view kid, std::string_view public_pem);
  bool Contains(std::string_view kid) const;
  size_t size() const;

  // Checks structure, header (alg must be exactly EdDSA, kid known), signature, iss and
  // exp/iat against `now` (with `leeway` for clock skew), and returns the principal.
  // Every failure is UNAUTHENTICATED with a reason: TOKEN_MALFORMED, TOKEN_ALGORITHM,
  // TOKEN_UNKNOWN_KEY, TOKEN_SIGNATURE, TOKEN_EXPIRED, TOKEN_CLAIMS.
  absl::StatusOr<Principal> Verify(std::string_view token, absl::Time now,
                                   absl::Duration leeway = absl::Seconds(30)) const;

 private:
  struct Key;
  absl::flat_hash_map<std::string, std::unique_ptr<Key>> keys_;
};

// The kid in a token's header without verifying anything, or "" when unreadable.
std::string PeekKid(std::string_view token);

// Random bytes as base64url without padding (for session ids, refresh tokens, jti).
std::string RandomToken(int bytes);

}  // namespace crm::auth

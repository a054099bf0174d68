// Ed25519-signed JWTs (token.h). OpenSSL 3 EVP does the cryptography; the JSON of header
// and claims goes through google::protobuf::Struct so no hand-written JSON parser touches
// untrusted input. Verification checks cheap structure first and parses the claims only
// after the signature is good.
#include "libs/auth/token.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/grpc/status.h"
#include "libs/log/log.h"

namespace crm::auth {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

// Tokens carry a few team ids; anything near this size is not ours.
constexpr size_t kMaxTokenBytes = 8192;
constexpr size_t kMaxPemBytes = 64 * 1024;
constexpr size_t kEd25519KeyBytes = 32;
constexpr size_t kEd25519SignatureBytes = 64;
constexpr size_t kKidChars = 16;
// Marks a service principal's token ("svc": true, sub "services/{name}").
constexpr char kServiceClaim[] = "svc";
// NumericDate bounds: the epoch to the end of year 9999.
constexpr double kMaxNumericDate = 253402300799.0;
// scrypt parameters for the encrypted private key PEM (the `openssl pkcs8 -scrypt`
// defaults: 16 MiB, tens of milliseconds; keys are read at start-up and on rotation only).
constexpr uint64_t kScryptN = 1 << 14;
constexpr uint64_t kScryptR = 8;
constexpr uint64_t kScryptP = 1;

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BioDeleter {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct AlgorDeleter {
  void operator()(X509_ALGOR* p) const { X509_ALGOR_free(p); }
};
struct P8InfoDeleter {
  void operator()(PKCS8_PRIV_KEY_INFO* p) const { PKCS8_PRIV_KEY_INFO_free(p); }
};
struct X509SigDeleter {
  void operator()(X509_SIG* p) const { X509_SIG_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using AlgorPtr = std::unique_ptr<X509_ALGOR, AlgorDeleter>;
using P8InfoPtr = std::unique_ptr<PKCS8_PRIV_KEY_INFO, P8InfoDeleter>;
using X509SigPtr = std::unique_ptr<X509_SIG, X509SigDeleter>;

absl::Status TokenError(std::string_view reason, std::string_view message) {
  return Error(absl::StatusCode::kUnauthenticated, reason, message);
}

// An OpenSSL failure: the thread's error queue is cleared so it cannot surface later.
absl::Status CryptoError(absl::StatusCode code, std::string_view what) {
  ERR_clear_error();
  return absl::Status(code, std::string(what));
}

std::string Base64UrlEncode(std::string_view bytes) {
  return absl::WebSafeBase64Escape(absl::string_view(bytes.data(), bytes.size()));
}

// Strict RFC 4648 §5 without padding: absl's decoder is lenient (whitespace, '=', stray
// trailing bits), so only text that encodes back to itself is accepted (one encoding per
// byte string).
bool Base64UrlDecode(std::string_view text, std::string* out) {
  const absl::string_view input(text.data(), text.size());
  return absl::WebSafeBase64Unescape(input, out) && absl::WebSafeBase64Escape(*out) == input;
}

std::string Sha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    ERR_clear_error();
    return "";
  }
  return std::string(reinterpret_cast<char*>(digest), size);
}

std::string RawPublicKey(EVP_PKEY* pkey) {
  unsigned char raw[kEd25519KeyBytes];
  size_t size = sizeof(raw);
  if (EVP_PKEY_get_raw_public_key(pkey, raw, &size) != 1 || size != kEd25519KeyBytes) {
    ERR_clear_error();
    return "";
  }
  return std::string(reinterpret_cast<char*>(raw), size);
}

// The RFC 7638 JWK thumbprint of the public key (SHA-256 over the canonical JWK
// {"crv","kty","x"}), base64url, shortened to 16 characters (96 bits: plenty to tell a
// handful of keys apart; the kid selects a key, the signature is what is trusted).
std::string KeyId(EVP_PKEY* pkey) {
  const std::string raw = RawPublicKey(pkey);
  if (raw.empty()) return "";
  const std::string jwk =
      absl::StrCat(R"({"crv":"Ed25519","kty":"OKP","x":")", Base64UrlEncode(raw), R"("})");
  return Base64UrlEncode(Sha256(jwk)).substr(0, kKidChars);
}

bool IsEd25519(EVP_PKEY* pkey) { return EVP_PKEY_get_id(pkey) == EVP_PKEY_ED25519; }

BioPtr ReadOnlyBio(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  if (size <= 0 || data == nullptr) return "";
  return std::string(data, static_cast<size_t>(size));
}

// ---------------------------------------------------------------------------------------
// JSON through protobuf's Struct.

absl::StatusOr<std::string> ToJson(const Struct& object) {
  std::string json;
  auto status = google::protobuf::util::MessageToJsonString(object, &json);
  if (!status.ok()) return absl::InternalError("cannot encode token JSON");
  return json;
}

bool FromJson(std::string_view json, Struct* object) {
  return google::protobuf::util::JsonStringToMessage(
             google::protobuf::StringPiece(json.data(), json.size()), object)
      .ok();
}

void SetString(Struct& object, const char* key, std::string_view value) {
  (*object.mutable_fields())[key].set_string_value(std::string(value));
}
void SetNumber(Struct& object, const char* key, int64_t value) {
  (*object.mutable_fields())[key].set_number_value(static_cast<double>(value));
}

const Value* Field(const Struct& object, const char* key) {
  auto it = object.fields().find(key);
  return it == object.fields().end() ? nullptr : &it->second;
}

// The string at `key`, or null when absent or not a string.
const std::string* StringField(const Struct& object, const char* key) {
  const Value* value = Field(object, key);
  if (value == nullptr || value->kind_case() != Value::kStringValue) return nullptr;
  return &value->string_value();
}

// A NumericDate claim: a finite number of seconds in [epoch, year 9999].
bool NumericDate(const Struct& object, const char* key, absl::Time* out) {
  const Value* value = Field(object, key);
  if (value == nullptr || value->kind_case() != Value::kNumberValue) return false;
  const double seconds = value->number_value();
  if (!std::isfinite(seconds) || seconds < 0 || seconds > kMaxNumericDate) return false;
  *out = absl::FromUnixSeconds(static_cast<int64_t>(seconds));
  return true;
}

// "{collection}/{id}" with a positive decimal id (no sign, no leading zero, no spaces).
bool ParseName(std::string_view name, std::string_view collection, int64_t* id) {
  if (name.size() <= collection.size() + 1 || name.substr(0, collection.size()) != collection ||
      name[collection.size()] != '/') {
    return false;
  }
  const std::string_view digits = name.substr(collection.size() + 1);
  if (digits.size() > 18 || digits[0] == '0') return false;
  int64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *id = value;
  return true;
}

bool IsTeamName(std::string_view name) {
  int64_t id = 0;
  return ParseName(name, "teams", &id);
}

struct Segments {
  std::string_view header, payload, signature;  // base64url text
  std::string header_json, payload_json, signature_bytes;
};

absl::StatusOr<Segments> Split(std::string_view token) {
  if (token.size() > kMaxTokenBytes) return TokenError("TOKEN_MALFORMED", "token is too long");
  const size_t first = token.find('.');
  const size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return TokenError("TOKEN_MALFORMED", "token is not a compact JWS of three segments");
  }
  Segments s;
  s.header = token.substr(0, first);
  s.payload = token.substr(first + 1, second - first - 1);
  s.signature = token.substr(second + 1);
  if (s.header.empty() || s.payload.empty() || !Base64UrlDecode(s.header, &s.header_json) ||
      !Base64UrlDecode(s.payload, &s.payload_json) ||
      !Base64UrlDecode(s.signature, &s.signature_bytes)) {
    return TokenError("TOKEN_MALFORMED", "token segments are not base64url");
  }
  return s;
}

// sub "users/{id}", sid, name, role, team and mteams.
absl::Status AddUserClaims(const Principal& principal, Struct& claims) {
  const std::string subject = absl::StrCat("users/", principal.user_id);
  if (principal.user_id <= 0 || (!principal.user.empty() && principal.user != subject)) {
    return absl::InvalidArgumentError("principal has no valid user id");
  }
  if (principal.role == v1::ROLE_UNSPECIFIED || RoleName(principal.role).empty()) {
    return absl::InvalidArgumentError("principal has no role");
  }
  if (principal.session_id.empty()) return absl::InvalidArgumentError("principal has no sid");
  if (!principal.team.empty() && !IsTeamName(principal.team)) {
    return absl::InvalidArgumentError("principal team is not teams/{id}");
  }
  for (const std::string& team : principal.managed_teams) {
    if (!IsTeamName(team)) return absl::InvalidArgumentError("managed team is not teams/{id}");
  }
  SetString(claims, "sub", subject);
  SetString(claims, "sid", principal.session_id);
  SetString(claims, "name", principal.username);
  SetString(claims, "role", RoleName(principal.role));
  if (!principal.team.empty()) SetString(claims, "team", principal.team);
  auto* teams = (*claims.mutable_fields())["mteams"].mutable_list_value();
  for (const std::string& team : principal.managed_teams) {
    teams->add_values()->set_string_value(team);
  }
  return absl::OkStatus();
}

// sub "services/{name}" and "svc": true, nothing a user token carries: a service token can
// never be read as a user's, nor a user's as a service's.
absl::Status AddServiceClaims(const Principal& principal, Struct& claims) {
  if (ServiceName(principal.service).empty()) {
    return absl::InvalidArgumentError("principal service is not services/{name}");
  }
  if (principal.user_id != 0 || !principal.user.empty() || principal.role != v1::ROLE_UNSPECIFIED ||
      !principal.session_id.empty() || !principal.team.empty() ||
      !principal.managed_teams.empty()) {
    return absl::InvalidArgumentError("a service principal carries no user claims");
  }
  SetString(claims, "sub", principal.service);
  (*claims.mutable_fields())[kServiceClaim].set_bool_value(true);
  return absl::OkStatus();
}

}  // namespace

// ---------------------------------------------------------------------------------------
// SigningKey

struct SigningKey::Impl {
  PkeyPtr pkey;
};

SigningKey::SigningKey(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)), kid_(KeyId(impl_->pkey.get())) {}
SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;
SigningKey::~SigningKey() = default;

absl::StatusOr<SigningKey> SigningKey::Generate() {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    return CryptoError(absl::StatusCode::kInternal, "cannot generate an Ed25519 key");
  }
  auto impl = std::make_unique<Impl>();
  impl->pkey.reset(raw);
  SigningKey key(std::move(impl));
  if (key.kid().empty()) return absl::InternalError("cannot derive the key id");
  return key;
}

absl::StatusOr<SigningKey> SigningKey::FromEncryptedPem(std::string_view pem,
                                                        std::string_view passphrase) {
  if (passphrase.empty()) {
    return absl::InvalidArgumentError("an empty passphrase is not accepted for a signing key");
  }
  if (pem.empty() || pem.size() > kMaxPemBytes) {
    return absl::InvalidArgumentError("not an encrypted private key PEM");
  }
  struct Passphrase {
    std::string_view text;
    bool asked = false;
  } pass{passphrase};
  // OpenSSL asks for the passphrase only when the PEM is encrypted; a plain key is refused.
  auto callback = [](char* buf, int size, int /*rwflag*/, void* u) -> int {
    auto* p = static_cast<Passphrase*>(u);
    p->asked = true;
    if (p->text.size() > static_cast<size_t>(size)) return -1;
    std::copy(p->text.begin(), p->text.end(), buf);
    return static_cast<int>(p->text.size());
  };
  BioPtr bio = ReadOnlyBio(pem);
  if (!bio) return CryptoError(absl::StatusCode::kInternal, "out of memory");
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, callback, &pass));
  if (!pkey) {
    return CryptoError(absl::StatusCode::kInvalidArgument,
                       "cannot read the private key (wrong passphrase or not a PKCS#8 PEM)");
  }
  if (!pass.asked) {
    return absl::InvalidArgumentError("the private key PEM is not encrypted");
  }
  if (!IsEd25519(pkey.get())) {
    return absl::InvalidArgumentError("the private key is not an Ed25519 key");
  }
  auto impl = std::make_unique<Impl>();
  impl->pkey = std::move(pkey);
  SigningKey key(std::move(impl));
  if (key.kid().empty()) return absl::InternalError("cannot derive the key id");
  return key;
}

absl::StatusOr<std::string> SigningKey::EncryptedPem(std::string_view passphrase) const {
  if (passphrase.empty()) {
    return absl::InvalidArgumentError("an empty passphrase is not accepted for a signing key");
  }
  if (passphrase.size() > 1024) return absl::InvalidArgumentError("passphrase is too long");
  // PKCS#8 EncryptedPrivateKeyInfo: PBES2 with scrypt as the KDF and AES-256-CBC.
  AlgorPtr pbe(
      PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(), nullptr, 0, nullptr, kScryptN, kScryptR, kScryptP));
  P8InfoPtr info(EVP_PKEY2PKCS8(impl_->pkey.get()));
  if (!pbe || !info) return CryptoError(absl::StatusCode::kInternal, "cannot encode the key");
  const std::string pass(passphrase);
  // PKCS8_set0_pbe takes ownership of `pbe` only on success.
  X509SigPtr encrypted(
      PKCS8_set0_pbe(pass.data(), static_cast<int>(pass.size()), info.get(), pbe.get()));
  if (!encrypted) return CryptoError(absl::StatusCode::kInternal, "cannot encrypt the key");
  pbe.release();
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PKCS8(bio.get(), encrypted.get()) != 1) {
    return CryptoError(absl::StatusCode::kInternal, "cannot write the key PEM");
  }
  return BioContents(bio.get());
}

std::string SigningKey::PublicPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), impl_->pkey.get()) != 1) {
    ERR_clear_error();
    return "";
  }
  return BioContents(bio.get());
}

absl::StatusOr<std::string> SigningKey::Sign(const Principal& principal, absl::Time now,
                                             absl::Duration ttl) const {
  if (ttl <= absl::ZeroDuration()) return absl::InvalidArgumentError("ttl must be positive");
  Struct header;
  SetString(header, "alg", kAlgorithm);
  SetString(header, "typ", "JWT");
  SetString(header, "kid", kid_);

  Struct claims;
  SetString(claims, "iss", kIssuer);
  SetNumber(claims, "iat", absl::ToUnixSeconds(now));
  SetNumber(claims, "exp", absl::ToUnixSeconds(now + ttl));
  SetString(claims, "jti", RandomToken(16));
  CRM_RETURN_IF_ERROR(principal.IsService() ? AddServiceClaims(principal, claims)
                                            : AddUserClaims(principal, claims));

  CRM_ASSIGN_OR_RETURN(std::string header_json, ToJson(header));
  CRM_ASSIGN_OR_RETURN(std::string claims_json, ToJson(claims));
  const std::string signing_input =
      absl::StrCat(Base64UrlEncode(header_json), ".", Base64UrlEncode(claims_json));

  MdCtxPtr ctx(EVP_MD_CTX_new());
  unsigned char signature[kEd25519SignatureBytes];
  size_t signature_size = sizeof(signature);
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), signature, &signature_size,
                     reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    return CryptoError(absl::StatusCode::kInternal, "cannot sign the token");
  }
  const std::string token = absl::StrCat(
      signing_input, ".",
      Base64UrlEncode(std::string_view(reinterpret_cast<char*>(signature), signature_size)));
  if (token.size() > kMaxTokenBytes) {
    return absl::InvalidArgumentError("token would be too long (too many managed teams)");
  }
  return token;
}

// ---------------------------------------------------------------------------------------
// PublicKeySet

struct PublicKeySet::Key {
  PkeyPtr pkey;
};

PublicKeySet::PublicKeySet() = default;
PublicKeySet::PublicKeySet(PublicKeySet&&) noexcept = default;
PublicKeySet& PublicKeySet::operator=(PublicKeySet&&) noexcept = default;
PublicKeySet::~PublicKeySet() = default;

absl::Status PublicKeySet::Add(std::string_view kid, std::string_view public_pem) {
  if (kid.empty() || kid.size() > 256) return absl::InvalidArgumentError("invalid key id");
  if (public_pem.empty() || public_pem.size() > kMaxPemBytes) {
    return absl::InvalidArgumentError("not a public key PEM");
  }
  BioPtr bio = ReadOnlyBio(public_pem);
  if (!bio) return CryptoError(absl::StatusCode::kInternal, "out of memory");
  PkeyPtr pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!pkey) return CryptoError(absl::StatusCode::kInvalidArgument, "not a public key PEM");
  if (!IsEd25519(pkey.get())) return absl::InvalidArgumentError("not an Ed25519 public key");
  auto key = std::make_unique<Key>();
  key->pkey = std::move(pkey);
  keys_[std::string(kid)] = std::move(key);
  return absl::OkStatus();
}

bool PublicKeySet::Contains(std::string_view kid) const { return keys_.contains(std::string(kid)); }

size_t PublicKeySet::size() const { return keys_.size(); }

absl::StatusOr<Principal> PublicKeySet::Verify(std::string_view token, absl::Time now,
                                               absl::Duration leeway) const {
  CRM_ASSIGN_OR_RETURN(Segments s, Split(token));

  // Header: only EdDSA, decided before any key is looked at.
  Struct header;
  if (!FromJson(s.header_json, &header)) {
    return TokenError("TOKEN_MALFORMED", "token header is not a JSON object");
  }
  const std::string* alg = StringField(header, "alg");
  if (alg == nullptr || *alg != kAlgorithm) {
    return TokenError("TOKEN_ALGORITHM", "token algorithm is not accepted");
  }
  if (const Value* typ = Field(header, "typ");
      typ != nullptr && (typ->kind_case() != Value::kStringValue || typ->string_value() != "JWT")) {
    return TokenError("TOKEN_MALFORMED", "token type is not JWT");
  }
  if (Field(header, "crit") != nullptr) {
    return TokenError("TOKEN_MALFORMED", "token header has critical extensions");
  }
  const std::string* kid = StringField(header, "kid");
  if (kid == nullptr || kid->empty()) {
    return TokenError("TOKEN_MALFORMED", "token header has no key id");
  }
  auto key = keys_.find(*kid);
  if (key == keys_.end()) return TokenError("TOKEN_UNKNOWN_KEY", "token signing key is unknown");

  // Signature over "header.payload" exactly as received.
  if (s.signature_bytes.size() != kEd25519SignatureBytes) {
    return TokenError("TOKEN_SIGNATURE", "token signature is invalid");
  }
  const std::string_view signing_input = token.substr(0, s.header.size() + 1 + s.payload.size());
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key->second->pkey.get()) != 1) {
    return CryptoError(absl::StatusCode::kInternal, "cannot verify the token");
  }
  if (EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(s.signature_bytes.data()),
                       s.signature_bytes.size(),
                       reinterpret_cast<const unsigned char*>(signing_input.data()),
                       signing_input.size()) != 1) {
    ERR_clear_error();
    return TokenError("TOKEN_SIGNATURE", "token signature is invalid");
  }

  // Claims, signed by us but checked anyway.
  Struct claims;
  if (!FromJson(s.payload_json, &claims)) {
    return TokenError("TOKEN_CLAIMS", "token claims are not a JSON object");
  }
  auto bad_claims = [](std::string_view what) {
    return TokenError("TOKEN_CLAIMS", absl::StrCat("token claims: ", std::string(what)));
  };
  const std::string* iss = StringField(claims, "iss");
  if (iss == nullptr || *iss != kIssuer) return bad_claims("wrong issuer");
  Principal principal;
  const std::string* sub = StringField(claims, "sub");
  bool is_service = false;
  if (const Value* svc = Field(claims, kServiceClaim); svc != nullptr) {
    if (svc->kind_case() != Value::kBoolValue || !svc->bool_value()) {
      return bad_claims("svc is not true");
    }
    is_service = true;
  }
  if (is_service) {
    if (sub == nullptr || ServiceName(*sub).empty()) {
      return bad_claims("subject is not services/{name}");
    }
    principal.service = *sub;
  } else {
    if (sub == nullptr || !ParseName(*sub, "users", &principal.user_id)) {
      return bad_claims("subject is not users/{id}");
    }
    principal.user = *sub;
  }
  absl::Time exp, iat;
  if (!NumericDate(claims, "exp", &exp)) return bad_claims("no valid exp");
  if (!NumericDate(claims, "iat", &iat)) return bad_claims("no valid iat");
  if (exp <= now - leeway) return TokenError("TOKEN_EXPIRED", "token has expired");
  if (iat > now + leeway) return bad_claims("issued in the future");
  if (Field(claims, "nbf") != nullptr) {
    absl::Time nbf;
    if (!NumericDate(claims, "nbf", &nbf) || nbf > now + leeway) return bad_claims("not yet valid");
  }
  principal.expires = exp;
  if (is_service) {
    for (const char* user_claim : {"role", "sid", "name", "team", "mteams"}) {
      if (Field(claims, user_claim) != nullptr) {
        return bad_claims("a service token carries a user claim");
      }
    }
    return principal;
  }
  const std::string* role = StringField(claims, "role");
  if (role == nullptr || !v1::Role_Parse(*role, &principal.role) ||
      principal.role == v1::ROLE_UNSPECIFIED) {
    return bad_claims("unknown role");
  }
  const std::string* sid = StringField(claims, "sid");
  if (sid == nullptr || sid->empty()) return bad_claims("no session id");
  principal.session_id = *sid;
  if (const Value* name = Field(claims, "name"); name != nullptr) {
    if (name->kind_case() != Value::kStringValue) return bad_claims("name is not a string");
    principal.username = name->string_value();
  }
  if (const Value* team = Field(claims, "team"); team != nullptr) {
    if (team->kind_case() != Value::kStringValue ||
        (!team->string_value().empty() && !IsTeamName(team->string_value()))) {
      return bad_claims("team is not teams/{id}");
    }
    principal.team = team->string_value();
  }
  if (const Value* teams = Field(claims, "mteams"); teams != nullptr) {
    if (teams->kind_case() != Value::kListValue) return bad_claims("mteams is not a list");
    for (const Value& team : teams->list_value().values()) {
      if (team.kind_case() != Value::kStringValue || !IsTeamName(team.string_value())) {
        return bad_claims("mteams holds a name that is not teams/{id}");
      }
      principal.managed_teams.push_back(team.string_value());
    }
  }
  return principal;
}

std::string PeekKid(std::string_view token) {
  auto segments = Split(token);
  if (!segments.ok()) return "";
  Struct header;
  if (!FromJson(segments->header_json, &header)) return "";
  const std::string* kid = StringField(header, "kid");
  return kid == nullptr ? "" : *kid;
}

std::string RandomToken(int bytes) {
  if (bytes <= 0) return "";
  std::string buffer(static_cast<size_t>(bytes), '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(buffer.data()), bytes) != 1) {
    // Without randomness no session id or key is safe to hand out.
    log::Fatal("the system random generator failed");
  }
  return Base64UrlEncode(buffer);
}

}  // namespace crm::auth

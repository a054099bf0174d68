#include "services/customers/customer_csv.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "libs/base/time.h"
#include "services/customers/dates.h"

namespace crm::customers {
namespace {

enum Column {
  kName, kExternalId, kDisplayName, kKind, kIndustry, kSizeBand, kCountry, kProvince, kCity,
  kAddress, kTags, kEmails, kPhones, kSource, kOwner, kNotes, kDates, kCreator, kCreateTime,
  kUpdateTime, kColumnCount
};

std::string Rfc3339(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", FromTimestamp(ts), absl::UTCTimeZone());
}

void SplitInto(const std::string& field, google::protobuf::RepeatedPtrField<std::string>* out) {
  for (absl::string_view item : absl::StrSplit(field, absl::ByAnyChar("\r\n"), absl::SkipEmpty())) {
    out->Add(std::string(item));
  }
}

}  // namespace

const std::vector<std::string>& CsvColumns() {
  static const auto* columns = new std::vector<std::string>{
      "name",    "external_id", "display_name", "kind",   "industry", "size_band", "country",
      "province", "city",       "address",      "tags",   "emails",   "phones",    "source",
      "owner",   "notes",       "dates",        "creator", "create_time", "update_time"};
  return *columns;
}

std::vector<std::string> CsvFields(const v1::Customer& c) {
  std::vector<std::string> fields(kColumnCount);
  fields[kName] = c.name();
  fields[kExternalId] = c.external_id();
  fields[kDisplayName] = c.display_name();
  fields[kKind] = v1::CustomerKind_Name(c.kind());
  fields[kIndustry] = c.industry();
  fields[kSizeBand] =
      c.size_band() == v1::SIZE_BAND_UNSPECIFIED ? "" : v1::SizeBand_Name(c.size_band());
  fields[kCountry] = c.region().country();
  fields[kProvince] = c.region().province();
  fields[kCity] = c.region().city();
  fields[kAddress] = c.address();
  fields[kTags] = absl::StrJoin(c.tags(), "\n");
  fields[kEmails] = absl::StrJoin(c.emails(), "\n");
  fields[kPhones] = absl::StrJoin(c.phones(), "\n");
  fields[kSource] = c.source();
  fields[kOwner] = c.owner();
  fields[kNotes] = c.notes();
  fields[kDates] = FormatDates(c.dates());
  fields[kCreator] = c.creator();
  fields[kCreateTime] = Rfc3339(c.create_time());
  fields[kUpdateTime] = Rfc3339(c.update_time());
  return fields;
}

absl::StatusOr<CsvCustomerReader> CsvCustomerReader::ForHeader(
    const std::vector<std::string>& header) {
  CsvCustomerReader reader;
  for (const std::string& raw : header) {
    const std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(raw));
    const auto& columns = CsvColumns();
    auto it = std::find(columns.begin(), columns.end(), name);
    if (it == columns.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown column \"", raw, "\" (columns: ", absl::StrJoin(columns, ", "), ")"));
    }
    reader.columns_.push_back(static_cast<int>(it - columns.begin()));
  }
  return reader;
}

absl::StatusOr<v1::Customer> CsvCustomerReader::Read(const std::vector<std::string>& record) const {
  v1::Customer c;
  for (size_t i = 0; i < record.size() && i < columns_.size(); ++i) {
    const std::string& value = record[i];
    switch (columns_[i]) {
      case kExternalId: c.set_external_id(value); break;
      case kDisplayName: c.set_display_name(value); break;
      case kKind: {
        v1::CustomerKind kind = v1::CUSTOMER_KIND_UNSPECIFIED;
        if (!value.empty() && !v1::CustomerKind_Parse(absl::AsciiStrToUpper(value), &kind)) {
          return absl::InvalidArgumentError(
              absl::StrCat("kind: \"", value, "\" is not COMPANY or PERSON"));
        }
        c.set_kind(kind);
        break;
      }
      case kIndustry: c.set_industry(value); break;
      case kSizeBand: {
        v1::SizeBand band = v1::SIZE_BAND_UNSPECIFIED;
        if (!value.empty() && !v1::SizeBand_Parse(absl::AsciiStrToUpper(value), &band)) {
          return absl::InvalidArgumentError(absl::StrCat(
              "size_band: \"", value, "\" is not MICRO, SMALL, MEDIUM, LARGE or ENTERPRISE"));
        }
        c.set_size_band(band);
        break;
      }
      case kCountry: c.mutable_region()->set_country(value); break;
      case kProvince: c.mutable_region()->set_province(value); break;
      case kCity: c.mutable_region()->set_city(value); break;
      case kAddress: c.set_address(value); break;
      case kTags: SplitInto(value, c.mutable_tags()); break;
      case kEmails: SplitInto(value, c.mutable_emails()); break;
      case kPhones: SplitInto(value, c.mutable_phones()); break;
      case kSource: c.set_source(value); break;
      case kOwner: c.set_owner(value); break;
      case kNotes: c.set_notes(value); break;
      case kDates: {
        for (absl::string_view line :
             absl::StrSplit(value, absl::ByAnyChar("\r\n"), absl::SkipEmpty())) {
          absl::StatusOr<v1::RelationshipDate> date =
              ParseDate(std::string_view(line.data(), line.size()));
          if (!date.ok()) return absl::InvalidArgumentError(absl::StrCat("dates: ", date.status().message()));
          *c.add_dates() = *std::move(date);
        }
        break;
      }
      default:  // output-only columns
        break;
    }
  }
  return c;
}

}  // namespace crm::customers

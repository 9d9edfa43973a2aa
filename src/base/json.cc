#include "base/json.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace tinyloop {
namespace {

// Builds the DOM like nlohmann's own parser but refuses deep nesting and huge containers
// before any recursion or allocation happens.
class LimitedSax : public nlohmann::detail::json_sax_dom_parser<Json> {
 public:
  using Base = nlohmann::detail::json_sax_dom_parser<Json>;
  LimitedSax(Json& root, const ParseLimits& limits, uint64_t input_size)
      : Base(root, /*allow_exceptions=*/false), limits_(limits), input_size_(input_size) {}

  bool start_object(std::size_t len) {
    if (!Enter(len, "object")) return false;
    return Base::start_object(len == static_cast<std::size_t>(-1) ? len : 0);
  }
  bool end_object() {
    --depth_;
    return Base::end_object();
  }
  bool start_array(std::size_t len) {
    if (!Enter(len, "array")) return false;
    return Base::start_array(len == static_cast<std::size_t>(-1) ? len : 0);
  }
  bool end_array() {
    --depth_;
    return Base::end_array();
  }
  bool string(string_t& val) { return Base::string(val); }
  bool binary(binary_t& val) { return Base::binary(val); }
  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& ex) {
    if (error_.empty()) {
      error_ = "at byte " + std::to_string(position) + ": " + ex.what();
    }
    return false;
  }

  const std::string& error() const { return error_; }

 private:
  bool Enter(std::size_t len, const char* what) {
    if (++depth_ > limits_.max_depth) {
      error_ = "nesting deeper than " + std::to_string(limits_.max_depth) + " levels";
      return false;
    }
    if (len != static_cast<std::size_t>(-1)) {
      // Each element takes at least one byte of input, so a declared length beyond the input
      // size is a lie we can reject without allocating.
      if (len > limits_.max_container_elements || len > input_size_) {
        error_ = std::string(what) + " declares " + std::to_string(len) +
                 " elements, more than the input can hold (limit " +
                 std::to_string(std::min<uint64_t>(limits_.max_container_elements, input_size_)) +
                 ")";
        return false;
      }
    }
    return true;
  }

  const ParseLimits& limits_;
  uint64_t input_size_;
  int depth_ = 0;
  std::string error_;
};

}  // namespace

StatusOr<Json> ParseJson(std::string_view text, const ParseLimits& limits) {
  Json root;
  LimitedSax sax(root, limits, text.size());
  bool ok = false;
  try {
    ok = Json::sax_parse(text.begin(), text.end(), &sax, nlohmann::detail::input_format_t::json,
                         /*strict=*/true);
  } catch (const std::exception& e) {
    return InvalidArgumentError(std::string("invalid JSON: ") + e.what());
  }
  if (!ok || sax.is_errored()) {
    return InvalidArgumentError("invalid JSON " +
                                (sax.error().empty() ? std::string("document") : sax.error()));
  }
  return root;
}

StatusOr<Json> ParseCbor(std::string_view bytes, const ParseLimits& limits) {
  Json root;
  LimitedSax sax(root, limits, bytes.size());
  bool ok = false;
  try {
    ok = Json::sax_parse(bytes.begin(), bytes.end(), &sax, nlohmann::detail::input_format_t::cbor,
                         /*strict=*/true);
  } catch (const std::exception& e) {
    return InvalidArgumentError(std::string("invalid CBOR: ") + e.what());
  }
  if (!ok || sax.is_errored()) {
    return InvalidArgumentError("invalid CBOR " +
                                (sax.error().empty() ? std::string("document") : sax.error()));
  }
  return root;
}

std::string FormatFloat32(float value) {
  if (!std::isfinite(value)) return "null";
  char buf[32];
  for (int precision = 6; precision <= 9; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, static_cast<double>(value));
    if (std::strtof(buf, nullptr) == value) break;
  }
  return buf;
}

std::string DumpJson(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace tinyloop

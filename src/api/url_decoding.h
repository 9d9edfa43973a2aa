// Percent-decoding of the parts of an HTTP request the server hands to routes: the path, the
// query string and header values. The rules are those cpp-httplib applied when it served
// tinyloop (so routes see the same strings): "%XX" is a byte, "%uXXXX" a UTF-8 encoded code
// point, a malformed escape stays as it is; "+" is a space only in the query string.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace tinyloop::api {

std::string DecodeUrl(std::string_view text, bool plus_is_space);

// "a=1&b=x%20y" -> {a: "1", b: "x y"}; a name without "=" gets ""; the first of repeated
// names wins; empty pieces are skipped.
std::map<std::string, std::string> ParseQueryString(std::string_view query);

}  // namespace tinyloop::api

// multipart/form-data bodies (RFC 7578 / RFC 2046), parsed by tinyloop itself rather than by
// the HTTP library, because real clients differ in details (undici, used by the Edge Impulse
// tools, omits the CRLF after the closing delimiter). Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "api/http.h"
#include "base/status.h"

namespace tinyloop::api {

// Splits `body` into parts. `content_type` is the request's Content-Type header, which names
// the boundary. InvalidArgument naming the problem: no boundary, a part without headers or
// without its closing delimiter, more than `max_parts` parts (the message names the limit).
StatusOr<std::vector<MultipartPart>> ParseMultipart(std::string_view content_type,
                                                    std::string_view body, size_t max_parts);

}  // namespace tinyloop::api

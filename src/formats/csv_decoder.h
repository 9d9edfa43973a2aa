// CSV time series (Edge Impulse CSV style "timestamp,accX,accY,accZ", or bare numeric rows
// such as the ST HAR recordings) decoded into a DecodedSample. Part of src/formats.
#pragma once

#include <cstddef>
#include <string_view>

#include "base/status.h"
#include "formats/decoded_sample.h"

namespace tinyloop::formats {

struct CsvOptions {
  // interval_ms when the file has no timestamp column. Default 0 (unknown: the caller may
  // then use IntervalFromFileName or a project default).
  double default_interval_ms = 0;
  // Most data rows accepted. Default 16M.
  size_t max_rows = size_t{16} << 20;
  // Most columns accepted, timestamp included. Default 64.
  size_t max_columns = 64;
};

// Decodes comma-separated numeric rows.
//  - Header row optional: the first non-blank row is a header when any of its cells is not a
//    number. Header cells are trimmed and may be wrapped in double quotes.
//  - A header column named timestamp/time/t (any case) holds times in ms: interval_ms is the
//    median difference between rows and must be positive; the column is not an axis. With a
//    single row, interval_ms falls back to options.default_interval_ms.
//  - Other columns are axes with units "N/A"; without a header they are x,y,z for three
//    columns, else col0..colN-1.
//  - Cells may have surrounding spaces/tabs; CRLF line ends, blank lines, a UTF-8 BOM and one
//    trailing empty cell per row (a trailing comma) are accepted. Only ',' separates cells
//    and quotes are not interpreted in data rows.
// Errors: InvalidArgument naming the line (1-based) and column for a ragged row, an empty or
// non-numeric cell, no data rows, too many rows/columns, no value column, or a non-positive
// timestamp step. Thread-safe: no shared state.
StatusOr<DecodedSample> DecodeCsv(std::string_view body, const CsvOptions& options);

}  // namespace tinyloop::formats

#include "formats/csv_decoder.h"

#include <algorithm>
#include <charconv>
#include <string>
#include <vector>

namespace tinyloop::formats {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsBlank(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsBlank(text.back())) text.remove_suffix(1);
  return text;
}

// Parses a whole cell as a number: optional sign, decimal or exponent form, nan/inf.
bool ParseNumber(std::string_view cell, double* out) {
  if (!cell.empty() && cell.front() == '+') cell.remove_prefix(1);
  if (cell.empty()) return false;
  const char* end = cell.data() + cell.size();
  const auto result = std::from_chars(cell.data(), end, *out);
  return result.ec == std::errc() && result.ptr == end;
}

// Splits one line into trimmed cells; a single trailing empty cell is dropped.
void SplitCells(std::string_view line, std::vector<std::string_view>* cells) {
  cells->clear();
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    cells->push_back(
        Trim(line.substr(start, comma == std::string_view::npos ? comma : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (cells->size() > 1 && cells->back().empty()) cells->pop_back();
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Unquote(std::string_view cell) {
  if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"') {
    return Trim(cell.substr(1, cell.size() - 2));
  }
  return cell;
}

bool IsTimestampName(std::string_view name) {
  const std::string lower = Lower(name);
  return lower == "timestamp" || lower == "time" || lower == "t";
}

std::string Where(size_t line, size_t column) {
  return "line " + std::to_string(line) + ", column " + std::to_string(column + 1);
}

// Reads lines one at a time, tracking 1-based line numbers.
class LineReader {
 public:
  explicit LineReader(std::string_view body) : body_(body) {
    if (body_.substr(0, 3) == "\xEF\xBB\xBF") body_.remove_prefix(3);
  }
  // Next non-blank line; false at the end.
  bool Next(std::string_view* line) {
    while (pos_ < body_.size()) {
      const size_t nl = body_.find('\n', pos_);
      const size_t end = nl == std::string_view::npos ? body_.size() : nl;
      *line = body_.substr(pos_, end - pos_);
      pos_ = end + 1;
      ++number_;
      if (!Trim(*line).empty()) return true;
    }
    return false;
  }
  size_t number() const { return number_; }

 private:
  std::string_view body_;
  size_t pos_ = 0;
  size_t number_ = 0;
};

double Median(std::vector<double> values) {
  const auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  if (values.size() % 2 == 1) return *mid;
  const double upper = *mid;
  const double lower = *std::max_element(values.begin(), mid);
  return (lower + upper) / 2;
}

}  // namespace

StatusOr<DecodedSample> DecodeCsv(std::string_view body, const CsvOptions& options) {
  LineReader reader(body);
  std::string_view line;
  if (!reader.Next(&line)) return InvalidArgumentError("CSV has no data rows");

  std::vector<std::string_view> cells;
  SplitCells(line, &cells);
  const size_t columns = cells.size();
  if (columns > options.max_columns) {
    return InvalidArgumentError("CSV line " + std::to_string(reader.number()) + " has " +
                                std::to_string(columns) + " columns, limit " +
                                std::to_string(options.max_columns));
  }
  bool header = false;
  double number = 0;
  for (std::string_view cell : cells) header = header || !ParseNumber(cell, &number);

  DecodedSample sample;
  size_t timestamp_column = columns;  // none
  if (header) {
    for (size_t c = 0; c < columns; ++c) {
      const std::string_view name = Unquote(cells[c]);
      if (timestamp_column == columns && IsTimestampName(name)) {
        timestamp_column = c;
        continue;
      }
      sample.axes.push_back({name.empty() ? "col" + std::to_string(c) : std::string(name), "N/A"});
    }
  } else {
    for (size_t c = 0; c < columns; ++c) {
      std::string name =
          columns == 3 ? std::string(1, static_cast<char>('x' + c)) : "col" + std::to_string(c);
      sample.axes.push_back({std::move(name), "N/A"});
    }
  }
  if (sample.axes.empty()) return InvalidArgumentError("CSV has no value columns");
  const size_t header_line = reader.number();

  std::vector<double> timestamps;
  bool have_row = !header;
  while (true) {
    if (!have_row) {
      if (!reader.Next(&line)) break;
      SplitCells(line, &cells);
    }
    have_row = false;
    if (sample.length >= options.max_rows) {
      return InvalidArgumentError("CSV has more than " + std::to_string(options.max_rows) +
                                  " data rows (limit)");
    }
    if (cells.size() != columns) {
      return InvalidArgumentError("CSV line " + std::to_string(reader.number()) + " has " +
                                  std::to_string(cells.size()) + " columns but line " +
                                  std::to_string(header_line) + " has " + std::to_string(columns));
    }
    for (size_t c = 0; c < columns; ++c) {
      if (cells[c].empty()) {
        return InvalidArgumentError("CSV " + Where(reader.number(), c) + " is empty");
      }
      if (!ParseNumber(cells[c], &number)) {
        return InvalidArgumentError("CSV " + Where(reader.number(), c) + " (\"" +
                                    std::string(cells[c].substr(0, 32)) + "\") is not a number");
      }
      if (c == timestamp_column) {
        timestamps.push_back(number);
      } else {
        sample.values.push_back(static_cast<float>(number));
      }
    }
    ++sample.length;
  }
  if (sample.length == 0) return InvalidArgumentError("CSV has a header but no data rows");

  sample.interval_ms = options.default_interval_ms;
  if (timestamps.size() >= 2) {
    std::vector<double> steps(timestamps.size() - 1);
    for (size_t i = 1; i < timestamps.size(); ++i) steps[i - 1] = timestamps[i] - timestamps[i - 1];
    const double step = Median(std::move(steps));
    if (!(step > 0)) {
      return InvalidArgumentError(
          "CSV timestamp column: the median step between rows must be positive, got " +
          std::to_string(step) + " ms");
    }
    sample.interval_ms = step;
  }
  return sample;
}

}  // namespace tinyloop::formats

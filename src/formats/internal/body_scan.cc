#include "formats/internal/body_scan.h"

#include <cstdint>
#include <string>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tinyloop::formats::internal {
namespace {

constexpr uint8_t kBreak = 0xFF;
constexpr uint8_t kIndefinite = 31;

struct Head {
  uint8_t major = 0;
  uint8_t info = 0;
  uint64_t arg = 0;  // value, length or count; unused when info == kIndefinite
};

class CborScanner {
 public:
  CborScanner(std::string_view bytes, int max_depth) : bytes_(bytes), max_depth_(max_depth) {}

  StatusOr<CborScan> ScanFirstItem() {
    CborScan scan;
    if (bytes_.empty()) return InvalidArgumentError("CBOR body is empty");
    const auto first = static_cast<uint8_t>(bytes_[0]);
    if ((first >> 5) != 5) {
      TL_RETURN_IF_ERROR(SkipItem(1));
      scan.end = pos_;
      return scan;
    }
    // The top-level map is walked here, not in SkipItem, to see its keys.
    TL_ASSIGN_OR_RETURN(const Head map, ReadHead());
    const bool indefinite = map.info == kIndefinite;
    bool seen_signature_key = false;
    for (uint64_t i = 0; indefinite || i < map.arg; ++i) {
      if (indefinite && AtBreak()) {
        ++pos_;
        break;
      }
      const bool is_signature_key = PeekIsText("signature");
      TL_RETURN_IF_ERROR(SkipItem(2));
      if (is_signature_key) {
        if (seen_signature_key) {
          return InvalidArgumentError("CBOR body has more than one \"signature\" key");
        }
        seen_signature_key = true;
        TL_RETURN_IF_ERROR(PeekDefiniteText(&scan));
      }
      TL_RETURN_IF_ERROR(SkipItem(2));
    }
    scan.end = pos_;
    return scan;
  }

 private:
  size_t Remaining() const { return bytes_.size() - pos_; }
  bool AtBreak() const {
    return pos_ < bytes_.size() && static_cast<uint8_t>(bytes_[pos_]) == kBreak;
  }

  Status Truncated() const {
    return InvalidArgumentError("CBOR body is truncated at byte " + std::to_string(pos_));
  }

  StatusOr<Head> ReadHead() {
    if (Remaining() < 1) return Truncated();
    const auto initial = static_cast<uint8_t>(bytes_[pos_++]);
    Head head;
    head.major = initial >> 5;
    head.info = initial & 0x1F;
    if (head.info < 24) {
      head.arg = head.info;
      return head;
    }
    if (head.info == kIndefinite) {
      if (head.major == 0 || head.major == 1 || head.major == 6) {
        return InvalidArgumentError("CBOR item at byte " + std::to_string(pos_ - 1) +
                                    " uses an indefinite length where none is allowed");
      }
      return head;
    }
    if (head.info > 27) {
      return InvalidArgumentError("CBOR item at byte " + std::to_string(pos_ - 1) +
                                  " has a reserved additional-information value");
    }
    const size_t size = size_t{1} << (head.info - 24);
    if (Remaining() < size) return Truncated();
    for (size_t i = 0; i < size; ++i) {
      head.arg = (head.arg << 8) | static_cast<uint8_t>(bytes_[pos_++]);
    }
    return head;
  }

  bool PeekIsText(std::string_view text) const {
    if (Remaining() < 1 + text.size()) return false;
    const auto initial = static_cast<uint8_t>(bytes_[pos_]);
    if (initial != (0x60 | text.size()) || text.size() >= 24) return false;
    return bytes_.substr(pos_ + 1, text.size()) == text;
  }

  // Records the span of the definite-length text string that starts at pos_, if it is one.
  Status PeekDefiniteText(CborScan* scan) {
    const size_t saved = pos_;
    TL_ASSIGN_OR_RETURN(const Head head, ReadHead());
    if (head.major == 3 && head.info != kIndefinite && head.arg <= Remaining()) {
      scan->has_signature = true;
      scan->signature = ByteSpan{pos_, static_cast<size_t>(head.arg)};
    }
    pos_ = saved;
    return OkStatus();
  }

  Status SkipBytes(uint64_t n) {
    if (n > Remaining()) {
      return InvalidArgumentError("CBOR string at byte " + std::to_string(pos_) + " declares " +
                                  std::to_string(n) + " bytes but only " +
                                  std::to_string(Remaining()) + " remain");
    }
    pos_ += static_cast<size_t>(n);
    return OkStatus();
  }

  Status SkipItem(int depth) {
    if (depth > max_depth_) {
      return InvalidArgumentError("CBOR nesting deeper than " + std::to_string(max_depth_) +
                                  " levels");
    }
    const size_t start = pos_;
    TL_ASSIGN_OR_RETURN(const Head head, ReadHead());
    switch (head.major) {
      case 0:
      case 1:
        return OkStatus();
      case 2:
      case 3:
        if (head.info != kIndefinite) return SkipBytes(head.arg);
        while (!AtBreak()) {
          TL_ASSIGN_OR_RETURN(const Head chunk, ReadHead());
          if (chunk.major != head.major || chunk.info == kIndefinite) {
            return InvalidArgumentError("CBOR indefinite string at byte " + std::to_string(start) +
                                        " has an invalid chunk");
          }
          TL_RETURN_IF_ERROR(SkipBytes(chunk.arg));
        }
        ++pos_;
        return OkStatus();
      case 4:
      case 5: {
        const uint64_t per_entry = head.major == 5 ? 2 : 1;
        if (head.info == kIndefinite) {
          while (!AtBreak()) {
            if (Remaining() == 0) return Truncated();
            for (uint64_t k = 0; k < per_entry; ++k) TL_RETURN_IF_ERROR(SkipItem(depth + 1));
          }
          ++pos_;
          return OkStatus();
        }
        // Every item takes at least one byte, so this loop ends within Remaining() steps.
        for (uint64_t i = 0; i < head.arg; ++i) {
          for (uint64_t k = 0; k < per_entry; ++k) TL_RETURN_IF_ERROR(SkipItem(depth + 1));
        }
        return OkStatus();
      }
      case 6:
        return SkipItem(depth + 1);
      default:  // 7: simple values and floats; ReadHead consumed their bytes.
        if (head.info == kIndefinite) {
          return InvalidArgumentError("CBOR break byte at " + std::to_string(start) +
                                      " outside an indefinite-length item");
        }
        return OkStatus();
    }
  }

  std::string_view bytes_;
  int max_depth_;
  size_t pos_ = 0;
};

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Index of the quote closing the string whose opening quote is at `open`, or npos.
size_t EndOfJsonString(std::string_view text, size_t open) {
  size_t i = open + 1;
  while (i < text.size()) {
    if (text[i] == '\\') {
      i += 2;
    } else if (text[i] == '"') {
      return i;
    } else {
      ++i;
    }
  }
  return std::string_view::npos;
}

// Index of the first byte at or after `i` that can change FindJsonSignature's state (a quote,
// a bracket, a brace and, when `commas`, a comma), or text.size(). Commas matter only between
// top-level members; a sample body is mostly its values array, digits and commas one level
// deeper, which this skips sixteen bytes per SSE2 step. '[' and '{' (and ']' and '}') differ
// only in bit 5, so OR-ing it in folds each pair into one comparison.
size_t NextStructural(std::string_view text, size_t i, bool commas) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i comma = _mm_set1_epi8(commas ? ',' : '"');
  const __m128i open = _mm_set1_epi8('{');
  const __m128i close = _mm_set1_epi8('}');
  const __m128i bit5 = _mm_set1_epi8(0x20);
  for (; i + 16 <= text.size(); i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
    const __m128i folded = _mm_or_si128(v, bit5);
    const __m128i hits =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, comma)),
                     _mm_or_si128(_mm_cmpeq_epi8(folded, open), _mm_cmpeq_epi8(folded, close)));
    const int mask = _mm_movemask_epi8(hits);
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#endif
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"' || (commas && c == ',') || c == '{' || c == '}' || c == '[' || c == ']') {
      return i;
    }
  }
  return text.size();
}

}  // namespace

StatusOr<CborScan> ScanCborItem(std::string_view bytes, int max_depth) {
  return CborScanner(bytes, max_depth).ScanFirstItem();
}

StatusOr<ByteSpan> FindJsonSignature(std::string_view text) {
  constexpr std::string_view kKey = "signature";
  int depth = 0;
  bool expect_key = false;
  int found = 0;
  ByteSpan span;
  for (size_t i = NextStructural(text, 0, true); i < text.size();
       i = NextStructural(text, i + 1, depth <= 1)) {
    const char c = text[i];
    if (c == '"') {
      const size_t close = EndOfJsonString(text, i);
      if (close == std::string_view::npos) break;
      const bool is_key = depth == 1 && expect_key;
      expect_key = false;
      if (is_key && text.substr(i + 1, close - i - 1) == kKey) {
        size_t k = close + 1;
        while (k < text.size() && IsJsonSpace(text[k])) ++k;
        if (k < text.size() && text[k] == ':') ++k;
        while (k < text.size() && IsJsonSpace(text[k])) ++k;
        if (k >= text.size() || text[k] != '"') {
          return InvalidArgumentError("signature must be a string");
        }
        const size_t value_close = EndOfJsonString(text, k);
        if (value_close == std::string_view::npos) break;
        ++found;
        span = ByteSpan{k + 1, value_close - k - 1};
      }
      i = close;
    } else if (c == '{' || c == '[') {
      ++depth;
      expect_key = depth == 1 && c == '{';
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == ',' && depth == 1) {
      expect_key = true;
    }
  }
  if (found > 1) return InvalidArgumentError("body has more than one \"signature\" member");
  if (found == 0) {
    return InvalidArgumentError("could not locate the \"signature\" member in the raw body");
  }
  return span;
}

}  // namespace tinyloop::formats::internal

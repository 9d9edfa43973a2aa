// File-name and header rules of Edge Impulse ingestion (label inference, percent-decoding,
// sampling rate hints) and DecodeFile, which picks the decoder for an uploaded file.
// Part of src/formats: the entry point the ingestion service calls. All functions are pure
// and thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "formats/acquisition.h"
#include "formats/csv_decoder.h"
#include "formats/decoded_sample.h"
#include "formats/image_decoder.h"
#include "formats/wav_decoder.h"

namespace tinyloop::formats {

// Most bytes in a file name and in a label.
inline constexpr size_t kMaxFileNameBytes = 255;
inline constexpr size_t kMaxLabelBytes = 128;

// Edge Impulse's label inference: the longest prefix matching /^[a-zA-Z0-9\s-_]+/ (letters,
// digits, whitespace, '-', '_'), e.g. "idle.01.json" -> "idle", "wave x.2.csv" -> "wave x".
// Whitespace follows JavaScript's \s, Unicode spaces included. Empty when nothing matches.
std::string LabelFromFileName(std::string_view file_name);

// OK for a plain file name. InvalidArgument naming the problem when it is empty, longer than
// kMaxFileNameBytes, "." or "..", contains '/' or '\\' (a ".." component is reported as
// such), a NUL or other control character, or is not valid UTF-8.
Status ValidateFileName(std::string_view file_name);

// OK for a label: non-empty, at most kMaxLabelBytes, valid UTF-8, no control characters.
// Callers treat an absent label (or x-no-label) as "no label" before calling this.
// InvalidArgument naming the problem otherwise.
Status ValidateLabel(std::string_view label);

// Decodes %XX escapes (as written by JavaScript's encodeURIComponent); '+' stays '+'.
// InvalidArgument for a '%' not followed by two hex digits. The result may be any bytes:
// validate it (ValidateLabel, ValidateFileName) afterwards.
StatusOr<std::string> PercentDecode(std::string_view text);

// Sampling interval hinted by a rate in the name: the first "<number>Hz" or "<number>kHz"
// (any case) that starts after a non-alphanumeric character and is not followed by a
// letter, e.g. "running_04_26Hz_4g_mg.csv" -> 1000/26, "speech_16kHz.wav" -> 0.0625.
// 0 when there is none.
double IntervalFromFileName(std::string_view file_name);

enum class FileKind {
  kAcquisitionJson,  // .json, application/json
  kAcquisitionCbor,  // .cbor, application/cbor, application/octet-stream
  kCsv,              // .csv, .txt, text/csv, text/plain
  kWav,              // .wav, audio/wav (and its aliases)
  kPng,              // .png, image/png
  kJpeg,             // .jpg, .jpeg, image/jpeg
};

// The kind of an uploaded file: by extension (any case) when it is one of the above, else
// by content type (parameters such as "; charset=utf-8" ignored). InvalidArgument naming
// both when neither is supported (e.g. .mp4, .parquet).
StatusOr<FileKind> DetectFileKind(std::string_view file_name, std::string_view content_type);

struct DecodeOptions {
  AcquisitionOptions acquisition;
  CsvOptions csv;
  WavOptions wav;
  ImageOptions image;
};

// Decodes an uploaded file with the decoder DetectFileKind picks. The body has the last word
// where it is unambiguous: acquisition bodies starting with '{' are read as JSON and others
// as CBOR (binary attachments allowed), and PNG/JPEG signatures choose the image decoder.
// For CSV without a timestamp column, interval_ms is options.csv.default_interval_ms when it
// is positive (the caller's explicit choice), else IntervalFromFileName(file_name).
// Errors: those of DetectFileKind and of the decoder it picks.
StatusOr<DecodedSample> DecodeFile(std::string_view file_name, std::string_view content_type,
                                   std::string_view body, const DecodeOptions& options);

}  // namespace tinyloop::formats

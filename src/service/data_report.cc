#include "service/data_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>
#include <tuple>
#include <utility>

#include "service/data_checks.h"

namespace tinyloop::service {
namespace {

constexpr int kBarWidth = 30;

Distribution Summarize(std::vector<double> values) {
  Distribution d;
  d.count = static_cast<int64_t>(values.size());
  if (values.empty()) return d;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  d.min = values.front();
  d.max = values.back();
  d.p50 = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  double sum = 0;
  for (double v : values) sum += v;
  d.mean = sum / static_cast<double>(n);
  const size_t bins = d.max > d.min ? std::min<size_t>(kReportHistogramBins, n) : 1;
  d.histogram.assign(bins, 0);
  for (double v : values) {
    size_t bin = 0;
    if (bins > 1) {
      bin = static_cast<size_t>((v - d.min) / (d.max - d.min) * static_cast<double>(bins));
      bin = std::min(bin, bins - 1);
    }
    ++d.histogram[bin];
  }
  return d;
}

Json NumberOrNull(bool present, double value) { return present ? Json(value) : Json(); }

Json DistributionToJson(const Distribution& d) {
  const bool any = d.count > 0;
  return {{"count", d.count},
          {"min", NumberOrNull(any, d.min)},
          {"p50", NumberOrNull(any, d.p50)},
          {"max", NumberOrNull(any, d.max)},
          {"mean", NumberOrNull(any, d.mean)},
          {"histogram", d.histogram}};
}

std::string Bar(int64_t count, int64_t largest) {
  if (largest <= 0 || count <= 0) return "";
  const int64_t width = std::max<int64_t>(1, count * kBarWidth / largest);
  std::string bar;
  for (int64_t i = 0; i < width; ++i) bar += "#";
  return bar;
}

std::string Pad(const std::string& text, size_t width) {
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

std::string PadLeft(const std::string& text, size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

std::string Percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f%%", 100 * fraction);
  return buf;
}

void ClassBalance(DataReport* report) {
  int64_t labeled = 0;
  for (const auto& [label, count] : report->by_label) {
    if (label != kUnlabeledKey) labeled += count;
  }
  if (labeled == 0) return;
  std::string largest, smallest;
  int64_t max_count = 0, min_count = 0;
  for (const auto& [label, count] : report->by_label) {
    if (label == kUnlabeledKey) continue;
    report->class_fractions[label] = static_cast<double>(count) / static_cast<double>(labeled);
    if (largest.empty() || count > max_count) {
      largest = label;
      max_count = count;
    }
    if (smallest.empty() || count < min_count) {
      smallest = label;
      min_count = count;
    }
  }
  if (report->class_fractions.size() < 2) return;
  const double ratio = static_cast<double>(max_count) / static_cast<double>(min_count);
  report->imbalance_ratio = ratio;
  if (ratio <= kImbalanceWarnRatio) return;
  std::string small;
  for (const auto& [label, count] : report->by_label) {
    if (label == kUnlabeledKey || static_cast<double>(count) * kImbalanceWarnRatio >= max_count) {
      continue;
    }
    small += (small.empty() ? "" : ", ") + label + " (" + std::to_string(count) + ")";
  }
  report->imbalance_warning = "class imbalance: largest class " + largest + " has " +
                              std::to_string(max_count) + " samples, " + FormatNumber(ratio) +
                              "x the smallest (limit " + FormatNumber(kImbalanceWarnRatio) +
                              "x); classes under a third of it: " + small +
                              ". Collect more of these or rebalance.";
}

void AppendDistribution(std::ostringstream& out, const std::string& title, const std::string& unit,
                        const Distribution& d) {
  out << title << ": ";
  if (d.count == 0) {
    out << "none\n";
    return;
  }
  out << "min " << FormatNumber(d.min) << " / median " << FormatNumber(d.p50) << " / max "
      << FormatNumber(d.max) << " / mean " << FormatNumber(d.mean) << " " << unit << " (" << d.count
      << " samples)\n";
  if (d.histogram.size() < 2) return;
  const int64_t largest = *std::max_element(d.histogram.begin(), d.histogram.end());
  const double width = (d.max - d.min) / static_cast<double>(d.histogram.size());
  for (size_t i = 0; i < d.histogram.size(); ++i) {
    const double lo = d.min + width * static_cast<double>(i);
    const std::string range = FormatNumber(lo) + ".." + FormatNumber(lo + width);
    out << "  " << PadLeft(range, 22) << " " << PadLeft(std::to_string(d.histogram[i]), 6) << " "
        << Bar(d.histogram[i], largest) << "\n";
  }
}

std::string SchemaText(const SensorSchema& schema) {
  std::ostringstream out;
  out << "Sensor schema (" << schema.source << "):\n  axes:";
  for (const SchemaAxis& axis : schema.axes) {
    out << " " << axis.name << (axis.units.empty() ? "" : " (" + axis.units + ")");
    if (axis.range) {
      out << " [" << FormatNumber(axis.range->min) << ".." << FormatNumber(axis.range->max) << "]";
    }
    out << ";";
  }
  out << "\n  interval: ";
  if (schema.interval_ms > 0) {
    out << FormatNumber(schema.interval_ms) << " ms (" << FormatNumber(1000 / schema.interval_ms)
        << " Hz) ± " << FormatNumber(100 * schema.interval_tolerance) << "%\n";
  } else {
    out << "none (no time axis)\n";
  }
  out << "  length: ";
  if (!schema.has_length_range()) {
    out << "any\n";
  } else if (schema.max_rows > 0) {
    out << schema.min_rows << ".." << schema.max_rows << " rows\n";
  } else {
    out << "at least " << schema.min_rows << " rows\n";
  }
  return out.str();
}

}  // namespace

DataReport BuildDataReport(const std::vector<store::Sample>& samples, const SensorSchema* schema) {
  DataReport report;
  report.samples = static_cast<int64_t>(samples.size());
  report.by_category["training"] = 0;
  report.by_category["testing"] = 0;
  for (std::string_view kind : kAllFindingKinds) report.findings_by_kind[std::string(kind)] = 0;

  std::map<std::tuple<std::string, std::string, std::string>, int64_t> cells;
  std::vector<double> lengths, intervals;
  lengths.reserve(samples.size());
  for (const store::Sample& sample : samples) {
    const std::string label = sample.label.empty() ? kUnlabeledKey : sample.label;
    const std::string device = sample.device_name.empty() ? kUnknownDeviceKey : sample.device_name;
    if (sample.label.empty()) ++report.unlabeled;
    ++report.by_label[label];
    ++report.by_category[sample.category];
    ++report.by_device[device];
    ++cells[{label, sample.category, device}];
    lengths.push_back(static_cast<double>(sample.length));
    if (sample.interval_ms > 0 && std::isfinite(sample.interval_ms)) {
      intervals.push_back(sample.interval_ms);
    }
    for (const store::Finding& finding : sample.findings) {
      ++report.findings_by_kind[finding.kind];
      report.findings.push_back(ReportFinding{finding.kind, sample.id, finding.detail});
    }
  }
  for (const auto& [key, count] : cells) {
    report.by_label_category_device.push_back(
        LabelCategoryDeviceCount{std::get<0>(key), std::get<1>(key), std::get<2>(key), count});
  }
  ClassBalance(&report);
  report.length_rows = Summarize(std::move(lengths));
  report.interval_ms = Summarize(std::move(intervals));
  if (schema != nullptr) report.schema = *schema;
  return report;
}

Json DataReportToJson(const DataReport& report) {
  Json json = Json::object();
  json["samples"] = report.samples;
  json["unlabeled"] = report.unlabeled;
  json["by_label"] = report.by_label;
  json["by_category"] = report.by_category;
  json["by_device"] = report.by_device;
  Json cells = Json::array();
  for (const LabelCategoryDeviceCount& c : report.by_label_category_device) {
    cells.push_back(
        {{"label", c.label}, {"category", c.category}, {"device", c.device}, {"count", c.count}});
  }
  json["by_label_category_device"] = std::move(cells);
  Json balance = Json::object();
  for (const auto& [label, fraction] : report.class_fractions) balance[label] = fraction;
  balance["imbalance_ratio"] = report.imbalance_ratio ? Json(*report.imbalance_ratio) : Json();
  json["class_balance"] = std::move(balance);
  json["class_imbalance_warning"] =
      report.imbalance_warning.empty() ? Json() : Json(report.imbalance_warning);
  json["length_rows"] = DistributionToJson(report.length_rows);
  json["interval_ms"] = DistributionToJson(report.interval_ms);
  json["findings_by_kind"] = report.findings_by_kind;
  Json findings = Json::array();
  for (const ReportFinding& f : report.findings) {
    findings.push_back({{"kind", f.kind}, {"sample_id", f.sample_id}, {"detail", f.detail}});
  }
  json["findings"] = std::move(findings);
  json["schema"] = report.schema ? report.schema->ToJson() : Json();
  return json;
}

std::string DataReportToText(const DataReport& report) {
  std::ostringstream out;
  out << "Data report: " << report.samples << " samples (" << report.unlabeled << " unlabeled), "
      << report.by_label.size() << " labels, " << report.by_device.size() << " devices\n\n";

  // Label × category table; categories as columns.
  std::vector<std::string> categories;
  for (const auto& [category, count] : report.by_category) categories.push_back(category);
  std::map<std::string, std::map<std::string, int64_t>> table;
  for (const LabelCategoryDeviceCount& c : report.by_label_category_device) {
    table[c.label][c.category] += c.count;
  }
  size_t label_width = 5;
  for (const auto& [label, count] : report.by_label)
    label_width = std::max(label_width, label.size());
  out << "Samples by label and category:\n  " << Pad("label", label_width);
  for (const std::string& c : categories) {
    out << "  " << PadLeft(c.empty() ? "(none)" : c, std::max<size_t>(8, c.size()));
  }
  out << "     total\n";
  for (const auto& [label, total] : report.by_label) {
    out << "  " << Pad(label, label_width);
    for (const std::string& c : categories) {
      auto it = table[label].find(c);
      const int64_t n = it == table[label].end() ? 0 : it->second;
      out << "  " << PadLeft(std::to_string(n), std::max<size_t>(8, c.size()));
    }
    out << "  " << PadLeft(std::to_string(total), 8) << "\n";
  }

  out << "\nSamples by device:\n";
  for (const auto& [device, count] : report.by_device) {
    out << "  " << Pad(device, 24) << " " << PadLeft(std::to_string(count), 8) << "\n";
  }

  out << "\nClass balance (labeled samples):\n";
  if (report.class_fractions.empty()) out << "  no labeled samples\n";
  int64_t largest = 0;
  for (const auto& [label, fraction] : report.class_fractions) {
    largest = std::max(largest, report.by_label.at(label));
  }
  for (const auto& [label, fraction] : report.class_fractions) {
    const int64_t count = report.by_label.at(label);
    out << "  " << Pad(label, label_width) << " " << PadLeft(std::to_string(count), 8) << " "
        << PadLeft(Percent(fraction), 6) << "  " << Bar(count, largest) << "\n";
  }
  if (report.imbalance_ratio) {
    out << "  imbalance ratio (largest/smallest class): " << FormatNumber(*report.imbalance_ratio)
        << "\n";
  }
  if (!report.imbalance_warning.empty()) out << "  WARNING: " << report.imbalance_warning << "\n";

  out << "\n";
  AppendDistribution(out, "Length", "rows", report.length_rows);
  AppendDistribution(out, "Interval", "ms", report.interval_ms);

  out << "\nFindings by kind:\n";
  for (const auto& [kind, count] : report.findings_by_kind) {
    out << "  " << Pad(kind, 16) << " " << PadLeft(std::to_string(count), 6);
    if (count > 0) {
      std::vector<int64_t> ids;
      const ReportFinding* example = nullptr;
      for (const ReportFinding& f : report.findings) {
        if (f.kind != kind) continue;
        if (example == nullptr) example = &f;
        if (ids.empty() || ids.back() != f.sample_id) ids.push_back(f.sample_id);
        if (static_cast<int>(ids.size()) == kReportSampleIdsPerKind + 1) break;
      }
      out << "  samples";
      for (size_t i = 0; i < ids.size() && i < kReportSampleIdsPerKind; ++i) {
        out << (i == 0 ? " " : ", ") << "#" << ids[i];
      }
      if (ids.size() > kReportSampleIdsPerKind) out << ", ...";
      out << "\n" << Pad("", 27) << "e.g. " << example->detail;
    }
    out << "\n";
  }

  out << "\n";
  if (report.schema) {
    out << SchemaText(*report.schema);
  } else {
    out << "Sensor schema: none (set one, or it is learned from the first samples)\n";
  }
  return out.str();
}

}  // namespace tinyloop::service

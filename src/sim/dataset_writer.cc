#include "sim/dataset_writer.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <system_error>

#include "base/random.h"

namespace tinyloop::sim {
namespace {

namespace fs = std::filesystem;

// Sub-streams of DemoDatasetOptions::seed, kept apart so adding a device never shifts the
// samples of a category and vice versa.
constexpr uint64_t kDeviceStream = 1;
constexpr uint64_t kCategoryStreamBase = 16;

constexpr FanSpeed kNormalSpeeds[] = {FanSpeed::kOff, FanSpeed::kLow, FanSpeed::kMedium,
                                      FanSpeed::kHigh};
constexpr FanSpeed kImbalanceSpeeds[] = {FanSpeed::kLow, FanSpeed::kMedium, FanSpeed::kHigh};

struct Device {
  std::string name;
  FanConditions conditions;
  SensorSpec sensor;
};

// One simulated installation: the same fan model as the real dataset's, taped on at a slightly
// different angle, with its own residual imbalance, motor and sensor part.
Device MakeDevice(const DemoDatasetOptions& options, int index) {
  Rng rng(DeriveSeed(DeriveSeed(options.seed, kDeviceStream), static_cast<uint64_t>(index)));
  Device device;
  device.name = "sim-fan-" + std::to_string(index + 1);
  FanConditions& c = device.conditions;
  c.tilt_deg = 9.0 + 6.0 * rng.Uniform();
  c.tilt_azimuth_deg = 80.0 + 20.0 * rng.Uniform();
  c.residual_imbalance_grams = 0.6 + 0.8 * rng.Uniform();
  c.residual_imbalance_angle_deg = 360.0 * rng.Uniform();
  c.hum_scale = 0.85 + 0.3 * rng.Uniform();
  device.sensor = options.sensor;
  const double noise_scale = 0.9 + 0.4 * rng.Uniform();
  for (int axis = 0; axis < 3; ++axis) {
    device.sensor.noise_g[axis] *= noise_scale;
    // MSA301-class parts have a zero-g offset of a few mg.
    device.sensor.offset_g[axis] += 0.004 * (2.0 * rng.Uniform() - 1.0);
  }
  return device;
}

Status FileSystemError(const std::string& what, const fs::path& path, std::error_code ec) {
  std::string message = what + " '" + path.string() + "': " + ec.message();
  if (ec == std::errc::permission_denied || ec == std::errc::read_only_file_system ||
      ec == std::errc::operation_not_permitted) {
    return PermissionDeniedError(std::move(message));
  }
  return InternalError(std::move(message));
}

Status CreateDirectories(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return FileSystemError("cannot create directory", dir, ec);
  if (!fs::is_directory(dir, ec)) {
    return FileSystemError("not a directory", dir,
                           ec ? ec : std::make_error_code(std::errc::not_a_directory));
  }
  return OkStatus();
}

// Writes to "<path>.tmp" and renames, so a reader never sees a half-written sample.
Status WriteFileAtomically(const fs::path& path, const std::string& contents) {
  fs::path temp = path;
  temp += ".tmp";
  std::FILE* file = std::fopen(temp.c_str(), "wb");
  if (file == nullptr) {
    return FileSystemError("cannot write", temp, std::error_code(errno, std::generic_category()));
  }
  const bool written = std::fwrite(contents.data(), 1, contents.size(), file) == contents.size();
  const int write_errno = errno;
  const bool closed = std::fclose(file) == 0;
  std::error_code ec;
  if (!written || !closed) {
    fs::remove(temp, ec);
    return FileSystemError(
        "cannot write", temp,
        std::error_code(write_errno ? write_errno : EIO, std::generic_category()));
  }
  fs::rename(temp, path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    return FileSystemError("cannot rename into", path, ec);
  }
  return OkStatus();
}

Status CheckCount(const char* field, int value) {
  if (value >= 0 && value <= 100000) return OkStatus();
  return InvalidArgumentError(std::string("DemoDatasetOptions.") + field +
                              " must be in [0, 100000], got " + std::to_string(value));
}

Status ValidateOptions(const DemoDatasetOptions& o) {
  TL_RETURN_IF_ERROR(CheckCount("training_samples_per_label", o.training_samples_per_label));
  TL_RETURN_IF_ERROR(CheckCount("testing_samples_per_label", o.testing_samples_per_label));
  TL_RETURN_IF_ERROR(CheckCount("anomaly_samples_per_label", o.anomaly_samples_per_label));
  if (!(o.seconds_per_sample > 0.0 && o.seconds_per_sample <= 60.0)) {
    return InvalidArgumentError("DemoDatasetOptions.seconds_per_sample must be in (0, 60], got " +
                                std::to_string(o.seconds_per_sample));
  }
  if (!(o.imbalance_grams > 0.0 && o.imbalance_grams <= 1e4)) {
    return InvalidArgumentError("DemoDatasetOptions.imbalance_grams must be in (0, 10000], got " +
                                std::to_string(o.imbalance_grams));
  }
  if (o.device_count < 1 || o.device_count > 1000) {
    return InvalidArgumentError("DemoDatasetOptions.device_count must be in [1, 1000], got " +
                                std::to_string(o.device_count));
  }
  if (o.issued_at < 0) {
    return InvalidArgumentError("DemoDatasetOptions.issued_at must be >= 0, got " +
                                std::to_string(o.issued_at));
  }
  TL_RETURN_IF_ERROR(ValidateSensorSpec(o.sensor).WithPrefix("DemoDatasetOptions.sensor"));
  if (std::round(o.seconds_per_sample * o.sensor.sample_rate_hz) < 1.0) {
    return InvalidArgumentError(
        "DemoDatasetOptions.seconds_per_sample must give at least 1 row at " +
        std::to_string(o.sensor.sample_rate_hz) + " Hz, got " +
        std::to_string(o.seconds_per_sample) + " s");
  }
  return OkStatus();
}

// One category folder: `count` files per label, each from its own seed.
struct Category {
  const char* name;
  int count;
  bool imbalanced;
};

std::string LabelFor(FanSpeed speed, bool imbalanced) {
  std::string label(FanSpeedName(speed));
  if (imbalanced) label += "_imbalance";
  return label;
}

}  // namespace

std::vector<std::string> DemoDatasetLabels(const DemoDatasetOptions& options) {
  std::vector<std::string> labels;
  for (FanSpeed speed : kNormalSpeeds) labels.push_back(LabelFor(speed, false));
  if (options.include_imbalance) {
    for (FanSpeed speed : kImbalanceSpeeds) labels.push_back(LabelFor(speed, true));
  }
  return labels;
}

Json MakeAcquisitionJson(const Recording& recording, std::string_view device_name,
                         int64_t issued_at) {
  Json sensors = Json::array();
  for (const std::string& axis : recording.axes) {
    sensors.push_back({{"name", axis}, {"units", recording.units}});
  }
  const size_t columns = recording.axes.size();
  Json values = Json::array();
  if (columns > 0) {
    values.get_ref<Json::array_t&>().reserve(recording.rows());
    for (size_t row = 0; row < recording.rows(); ++row) {
      Json line = Json::array();
      for (size_t col = 0; col < columns; ++col) {
        // Widening keeps the float exactly; nlohmann prints the shortest text that parses back
        // to the same double, which is exact for values on a power-of-two LSB grid.
        line.push_back(static_cast<double>(recording.values[row * columns + col]));
      }
      values.push_back(std::move(line));
    }
  }
  Json interval;
  if (recording.interval_ms == std::floor(recording.interval_ms) &&
      std::fabs(recording.interval_ms) < 1e15) {
    interval = static_cast<int64_t>(recording.interval_ms);
  } else {
    interval = recording.interval_ms;
  }
  Json payload = {{"device_name", std::string(device_name)},
                  {"device_type", std::string(kSimDeviceType)},
                  {"interval_ms", std::move(interval)},
                  {"sensors", std::move(sensors)},
                  {"values", std::move(values)}};
  return Json{{"protected", {{"ver", "v1"}, {"alg", "none"}, {"iat", issued_at}}},
              {"signature", std::string(64, '0')},
              {"payload", std::move(payload)}};
}

Status WriteDemoDataset(const std::string& out_dir, const DemoDatasetOptions& options) {
  TL_RETURN_IF_ERROR(ValidateOptions(options));
  if (out_dir.empty()) return InvalidArgumentError("out_dir must not be empty");

  std::vector<Device> devices;
  devices.reserve(static_cast<size_t>(options.device_count));
  for (int k = 0; k < options.device_count; ++k) devices.push_back(MakeDevice(options, k));

  const Category categories[] = {
      {"training", options.training_samples_per_label, false},
      {"testing", options.testing_samples_per_label, false},
      {"anomaly", options.include_imbalance ? options.anomaly_samples_per_label : 0, true},
  };
  const fs::path root(out_dir);
  TL_RETURN_IF_ERROR(CreateDirectories(root));

  for (size_t cat = 0; cat < std::size(categories); ++cat) {
    const Category& category = categories[cat];
    if (category.count == 0) continue;
    const uint64_t category_seed = DeriveSeed(options.seed, kCategoryStreamBase + cat);
    std::vector<FanSpeed> speeds;
    if (category.imbalanced) {
      speeds.assign(std::begin(kImbalanceSpeeds), std::end(kImbalanceSpeeds));
    } else {
      speeds.assign(std::begin(kNormalSpeeds), std::end(kNormalSpeeds));
    }
    for (FanSpeed speed : speeds) {
      const std::string label = LabelFor(speed, category.imbalanced);
      const fs::path label_dir = root / category.name / label;
      TL_RETURN_IF_ERROR(CreateDirectories(label_dir));
      const uint64_t label_seed = DeriveSeed(category_seed, static_cast<uint64_t>(speed));
      for (int n = 1; n <= category.count; ++n) {
        const Device& device = devices[static_cast<size_t>(n - 1) % devices.size()];
        FanConditions conditions = device.conditions;
        conditions.speed = speed;
        conditions.imbalance_grams = category.imbalanced ? options.imbalance_grams : 0.0;
        TL_ASSIGN_OR_RETURN(Recording recording,
                            Simulate(conditions, device.sensor, options.seconds_per_sample,
                                     DeriveSeed(label_seed, static_cast<uint64_t>(n))));
        const std::string text =
            DumpJson(MakeAcquisitionJson(recording, device.name, options.issued_at));
        TL_RETURN_IF_ERROR(
            WriteFileAtomically(label_dir / (label + "." + std::to_string(n) + ".json"), text));
      }
    }
  }
  return OkStatus();
}

}  // namespace tinyloop::sim

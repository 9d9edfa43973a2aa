#include "runtime/kernels/kernel_util.h"

#include "runtime/kernels/reference/quantization.h"

namespace tinyloop::runtime::kernel_util {

Status CheckArity(const PrepareContext& ctx, int32_t min_inputs, int32_t max_inputs,
                  int32_t required, int32_t outputs) {
  if (ctx.input_count() < min_inputs || ctx.input_count() > max_inputs ||
      ctx.output_count() != outputs) {
    return Status::kInvalidShape;
  }
  for (int32_t i = 0; i < required; ++i) {
    if (!ctx.HasInput(i)) return Status::kInvalidShape;
  }
  return Status::kOk;
}

bool SameShape(const TensorInfo& a, const TensorInfo& b) {
  if (a.rank != b.rank) return false;
  for (int32_t i = 0; i < a.rank; ++i) {
    if (a.dims[i] != b.dims[i]) return false;
  }
  return true;
}

bool BroadcastStrides(const TensorInfo& t, const int32_t dims[4], int32_t strides[4]) {
  if (t.rank > 4) return false;
  int32_t padded[4] = {1, 1, 1, 1};
  for (int32_t i = 0; i < t.rank; ++i) padded[4 - t.rank + i] = t.dims[i];
  int32_t stride = 1;
  for (int32_t i = 3; i >= 0; --i) {
    if (padded[i] == dims[i]) {
      strides[i] = stride;
    } else if (padded[i] == 1) {
      strides[i] = 0;
    } else {
      return false;
    }
    stride *= padded[i];
  }
  return true;
}

bool HasInt8Quantization(const TensorInfo& t) {
  return t.type == TensorType::kInt8 && t.scale > 0.0f && t.zero_point >= -128 &&
         t.zero_point <= 127 && t.channel_count == 0;
}

Status PerChannelMultipliers(PrepareContext& ctx, const TensorInfo& input, const TensorInfo& filter,
                             const TensorInfo& output, int32_t channels, int32_t axis,
                             const int32_t** multipliers, const int8_t** shifts) {
  const bool per_channel = filter.channel_count > 0;
  if (per_channel && (filter.channel_count != channels || filter.channel_axis != axis)) {
    return Status::kInvalidQuantization;
  }
  if (!per_channel && !(filter.scale > 0.0f)) return Status::kInvalidQuantization;
  int32_t* mult = ctx.Allocate<int32_t>(static_cast<size_t>(channels));
  int8_t* shift = ctx.Allocate<int8_t>(static_cast<size_t>(channels));
  if (mult == nullptr || shift == nullptr) return Status::kArenaTooSmall;
  for (int32_t c = 0; c < channels; ++c) {
    const float filter_scale = per_channel ? filter.ChannelScale(c) : filter.scale;
    const double effective = static_cast<double>(input.scale) * static_cast<double>(filter_scale) /
                             static_cast<double>(output.scale);
    int s = 0;
    TL_RT_RETURN_IF_ERROR(reference::QuantizeMultiplier(effective, &mult[c], &s));
    shift[c] = static_cast<int8_t>(s);
  }
  *multipliers = mult;
  *shifts = shift;
  return Status::kOk;
}

}  // namespace tinyloop::runtime::kernel_util

// C++ source text for the generated model library (model/codegen_cpp.h): exact literals for
// floats and integers, and constexpr definitions of the runtime's reference kernel parameter
// structs (runtime/kernels/reference/*.h) with every field named. Host-only.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/kernels/reference/activations.h"
#include "runtime/kernels/reference/add.h"
#include "runtime/kernels/reference/conv.h"
#include "runtime/kernels/reference/elementwise.h"
#include "runtime/kernels/reference/fully_connected.h"
#include "runtime/kernels/reference/mul.h"
#include "runtime/kernels/reference/pooling.h"
#include "runtime/kernels/reference/softmax.h"

namespace tinyloop::model {

// A float literal that parses back to exactly `v` (hex float, or a numeric_limits expression
// for infinities and NaN).
std::string FloatLiteral(float v);
// A decimal literal of `v`; INT32_MIN is written as an expression.
std::string IntLiteral(int32_t v);

// `constexpr ref::ConvParams name = ...;` with the per-channel arrays named `multipliers` and
// `shifts` (empty: nullptr). The generated file aliases the reference namespace as `ref`.
std::string ConvParamsDefinition(const std::string& name, const runtime::reference::ConvParams& p,
                                 const std::string& multipliers, const std::string& shifts);
std::string FullyConnectedParamsDefinition(const std::string& name,
                                           const runtime::reference::FullyConnectedParams& p,
                                           const std::string& multipliers,
                                           const std::string& shifts);
std::string PoolParamsDefinition(const std::string& name, const runtime::reference::PoolParams& p);
std::string MeanParamsDefinition(const std::string& name, const runtime::reference::MeanParams& p);
std::string AddParamsDefinition(const std::string& name, const runtime::reference::AddParams& p);
std::string MulParamsDefinition(const std::string& name, const runtime::reference::MulParams& p);
std::string LogisticTanhParamsDefinition(const std::string& name,
                                         const runtime::reference::LogisticTanhParams& p);
std::string SoftmaxParamsDefinition(const std::string& name,
                                    const runtime::reference::SoftmaxParams& p);
std::string QuantizeParamsDefinition(const std::string& name,
                                     const runtime::reference::QuantizeParams& p);

}  // namespace tinyloop::model

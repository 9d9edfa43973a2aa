#include "dsp_json/dsp_config_json.h"

#include <gtest/gtest.h>

#include <string>

namespace tinyloop::dsp {
namespace {

// Expects an InvalidArgument whose message contains every fragment.
void ExpectError(const Status& status, std::initializer_list<const char*> fragments) {
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  for (const char* f : fragments) {
    EXPECT_NE(status.message().find(f), std::string::npos)
        << "missing \"" << f << "\" in: " << status.message();
  }
}

TEST(DspConfigJsonTest, ParsesSpectralWithDefaults) {
  auto c = ParseBlockConfig(R"({"type":"spectral","fft_length":128,"filter_type":"low",
                                "filter_cutoff_hz":8,"band_edges_hz":[0,5,20]})");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->type, BlockType::kSpectral);
  EXPECT_EQ(c->spectral.fft_length, 128u);
  EXPECT_EQ(c->spectral.filter_type, FilterType::kLowPass);
  EXPECT_EQ(c->spectral.filter_cutoff_hz, 8.0f);
  EXPECT_EQ(c->spectral.filter_order, SpectralConfig().filter_order);  // default kept
  EXPECT_EQ(c->spectral.num_band_edges, 3u);
  EXPECT_EQ(c->spectral.band_edges_hz[2], 20.0f);
}

TEST(DspConfigJsonTest, EveryBlockRoundTrips) {
  BlockConfig configs[6];
  configs[0].type = BlockType::kRaw;
  configs[0].raw.scale = 0.001f;
  configs[1].type = BlockType::kFlatten;
  configs[1].flatten.kurtosis = true;
  configs[2].type = BlockType::kSpectral;
  configs[2].spectral.combine = SpectrumCombine::kMaxHold;
  configs[2].spectral.num_band_edges = 2;
  configs[2].spectral.band_edges_hz[1] = 12.5f;
  configs[3].type = BlockType::kMfe;
  configs[3].mfe.frame_length_s = 0.032f;
  configs[4].type = BlockType::kMfcc;
  configs[4].mfcc.cmvn_window = 0;
  configs[5].type = BlockType::kImage;
  configs[5].image.color = ImageColor::kGrayscale;
  configs[5].image.resize_mode = ResizeMode::kSquash;
  for (const BlockConfig& in : configs) {
    const Json json = BlockConfigToJson(in);
    auto out = BlockConfigFromJson(json);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(BlockConfigToJson(*out), json);
    EXPECT_EQ(json["type"], BlockTypeName(in.type));
  }
  // Floats are written with their short decimal form.
  EXPECT_EQ(DumpJson(BlockConfigToJson(configs[3])).find("0.032000"), std::string::npos);
  EXPECT_EQ(BlockConfigToJson(configs[3])["frame_length_s"].get<double>(), 0.032);
}

TEST(DspConfigJsonTest, ErrorsNameTheFieldAndTheLimit) {
  ExpectError(ParseBlockConfig(R"({"type":"spectral","fft_length":100})").status(),
              {"fft_length must be a power of two between 16 and 4096, got 100"});
  ExpectError(ParseBlockConfig(R"({"type":"spectral","filter_type":"low",
                                   "filter_cutoff_hz":60})")
                  .status(),
              {"filter_cutoff_hz", "50 Hz", "got 60"});
  ExpectError(ParseBlockConfig(R"({"type":"spectral","filter_type":"band"})").status(),
              {"filter_type must be one of \"none\", \"low\", \"high\"", "got \"band\""});
  ExpectError(ParseBlockConfig(R"({"type":"spectral","band_edges_hz":[5,3]})").status(),
              {"band_edges_hz must be strictly increasing"});
  ExpectError(ParseBlockConfig(R"({"type":"mfcc","num_cepstral":40})").status(),
              {"mfcc: num_cepstral must be between 1 and num_filters (32), got 40"});
  ExpectError(ParseBlockConfig(R"({"type":"mfcc","cmvn_window":100})").status(),
              {"cmvn_window", "odd", "got 100"});
  ExpectError(ParseBlockConfig(R"({"type":"mfe","noise_floor_db":10})").status(),
              {"noise_floor_db must be between -200 and 0, got 10"});
  ExpectError(ParseBlockConfig(R"({"type":"mfe","high_frequency_hz":9000})").status(),
              {"high_frequency_hz", "8000", "got 9000"});
  ExpectError(ParseBlockConfig(R"({"type":"mfe","fft_length":-4})").status(),
              {"fft_length must be a non-negative integer, got -4"});
  ExpectError(ParseBlockConfig(R"({"type":"image","width":0})").status(),
              {"image: width must be between 1 and 4096, got 0"});
  ExpectError(ParseBlockConfig(R"({"type":"flatten","average":false,"minimum":false,
                                   "maximum":false,"rms":false,"stdev":false})")
                  .status(),
              {"flatten: select at least one"});
  ExpectError(ParseBlockConfig(R"({"type":"raw","scale":"2"})").status(),
              {"raw: scale must be a finite number, got \"2\""});
  ExpectError(ParseBlockConfig(R"({"type":"mfcc","fft_lenght":256})").status(),
              {"unknown field \"fft_lenght\""});
  ExpectError(ParseBlockConfig(R"({"type":"wavelet"})").status(), {"type must be one of"});
  ExpectError(ParseBlockConfig(R"({"fft_length":128})").status(), {"needs \"type\""});
  ExpectError(ParseBlockConfig("[1]").status(), {"must be a JSON object"});
  ExpectError(ParseBlockConfig("{").status(), {"invalid JSON"});
}

TEST(DspConfigJsonTest, PlanBlockGivesShapesOrNamesTheMismatch) {
  auto mfcc = ParseBlockConfig(R"({"type":"mfcc"})");
  ASSERT_TRUE(mfcc.ok());
  auto plan = PlanBlock(*mfcc, SignalShape{16000, 1});
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->output.dims[0], 50u);
  EXPECT_EQ(plan->output.dims[1], 13u);
  EXPECT_GT(plan->scratch_bytes, 0u);
  ExpectError(PlanBlock(*mfcc, SignalShape{16000, 3}).status(), {"one axis", "got 3"});
  ExpectError(PlanBlock(*mfcc, SignalShape{100, 1}).status(),
              {"frame_length_s 0.02 is 320 samples at 16000 Hz", "(100 frames)"});
  ExpectError(PlanBlock(*mfcc, ImageShape{96, 96, 3}).status(), {"needs a time-series window"});

  auto spectral = ParseBlockConfig(R"({"type":"spectral","fft_length":128})");
  ASSERT_TRUE(spectral.ok());
  plan = PlanBlock(*spectral, SignalShape{200, 3});
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->output.num_features, 3u * (3 + 64));
  ExpectError(PlanBlock(*spectral, SignalShape{0, 3}).status(), {"empty"});

  auto image = ParseBlockConfig(R"({"type":"image","width":48,"height":32,"color":"grayscale"})");
  ASSERT_TRUE(image.ok());
  plan = PlanBlock(*image, ImageShape{120, 160, 3});
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->output.rank, 3u);
  EXPECT_EQ(plan->output.dims[0], 32u);
  EXPECT_EQ(plan->output.dims[1], 48u);
  EXPECT_EQ(plan->output.dims[2], 1u);
  ExpectError(PlanBlock(*image, ImageShape{120, 160, 4}).status(), {"channels", "got 4"});
  ExpectError(PlanBlock(*image, SignalShape{10, 1}).status(), {"needs an image"});

  BlockConfig bad;
  bad.type = BlockType::kSpectral;
  bad.spectral.fft_length = 7;
  ExpectError(PlanBlock(bad, SignalShape{200, 3}).status(), {"fft_length"});
}

TEST(DspConfigJsonTest, TimeSeriesWindowing) {
  auto ts = TimeSeriesConfigFromJson(ParseJson(R"({"type":"time-series","window_size_ms":5000,
      "window_increase_ms":500,"frequency_hz":100})")
                                         .value());
  ASSERT_TRUE(ts.ok()) << ts.status().ToString();
  ExpectError(WindowConfigFor(*ts, 200).status(),
              {"window_size_ms 5000 is longer than the sample (2000 ms)"});
  ts->pad_zeros = true;
  auto w = WindowConfigFor(*ts, 200);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->window_samples, 500u);
  EXPECT_EQ(w->stride_samples, 50u);
  EXPECT_TRUE(w->zero_pad);
  ts->window_size_ms = 1000;
  ts->pad_zeros = false;
  w = WindowConfigFor(*ts, 200);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->window_samples, 100u);
  const Json json = TimeSeriesConfigToJson(*ts);
  auto back = TimeSeriesConfigFromJson(json);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(TimeSeriesConfigToJson(*back), json);
  ts->window_increase_ms = 1;  // 0.1 sample at 100 Hz
  ExpectError(WindowConfigFor(*ts, 200).status(), {"window_increase_ms 1 is less than one sample"});
  ExpectError(TimeSeriesConfigFromJson(ParseJson(R"({"frequency_hz":0})").value()).status(),
              {"frequency_hz must be positive, got 0"});
  ExpectError(TimeSeriesConfigFromJson(ParseJson(R"({"type":"audio"})").value()).status(),
              {"type must be \"time-series\""});
}

}  // namespace
}  // namespace tinyloop::dsp

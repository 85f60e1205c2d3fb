// The --arch and --layers parsers: good specs give the expected layers and shapes, bad ones
// the exact messages.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>
#include "tests/nn/support.h"
import gibbs.core;
import gibbs.nn;

namespace nn = gibbs::nn;

namespace {

std::vector<std::string> tokens(const nn::Architecture& a) {
  std::vector<std::string> t;
  for (const nn::LayerSpec& s : a.layers) t.push_back(nn::to_string(s));
  return t;
}

std::vector<std::string> shapes(const nn::Architecture& a) {
  std::vector<std::string> t;
  for (const nn::SampleShape& s : a.shapes) t.push_back(nn::to_string(s));
  return t;
}

std::string arch_error(const std::string& spec, nn::SampleShape input = {1, 28, 28}) {
  try {
    nn::parse_arch(spec, input);
  } catch (const gibbs::ArgumentError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string layers_error(const std::string& sizes, const std::string& activation = "relu",
                         nn::SampleShape input = {1, 28, 28}, const std::string& output = "") {
  try {
    nn::parse_layers(sizes, activation, input, output);
  } catch (const gibbs::ArgumentError& e) {
    return e.what();
  }
  return "(no error)";
}

const std::string kExpected =
    "(expected convKxK:FILTERS[:sSTRIDE][:pPAD], maxpoolK[:sSTRIDE], dense:UNITS, flatten, relu, tanh, sigmoid, "
    "sign, identity or softmax)";

}  // namespace

BOOST_AUTO_TEST_SUITE(spec)

BOOST_AUTO_TEST_CASE(the_w6_cnn) {
  const nn::Architecture a =
      nn::parse_arch("conv3x3:32,relu,maxpool2,conv3x3:64,relu,maxpool2,flatten,dense:128,relu,dense:10", {1, 28, 28});
  BOOST_TEST((a.input == nn::SampleShape{1, 28, 28}));
  BOOST_TEST((tokens(a) == std::vector<std::string>{"conv3x3:32", "relu", "maxpool2", "conv3x3:64", "relu", "maxpool2",
                                                    "flatten", "dense:128", "relu", "dense:10"}));
  BOOST_TEST((shapes(a) == std::vector<std::string>{"32x26x26", "32x26x26", "32x13x13", "64x11x11", "64x11x11",
                                                    "64x5x5", "1600", "128", "128", "10"}));
  BOOST_TEST(nn::to_string(a) == "conv3x3:32,relu,maxpool2,conv3x3:64,relu,maxpool2,flatten,dense:128,relu,dense:10");
}

BOOST_AUTO_TEST_CASE(parsed_shapes_are_the_layers_own) {
  for (const auto& [spec, input] : {std::pair<std::string, nn::SampleShape>{"conv5x5:8:s2:p2,maxpool3:s2", {3, 17, 12}},
                                    {"conv2x2:3:s3:p1,maxpool2:s1,flatten,dense:5,softmax", {2, 10, 7}},
                                    {"conv3x3:4:p4,maxpool5:s3", {1, 1, 2}}}) {
    const nn::Architecture a = nn::parse_arch(spec, input);
    nn::SampleShape shape = input;
    for (std::size_t i = 0; i < a.layers.size(); ++i) {
      shape = nn::make_layer(a.layers[i], shape)->output_shape(shape);
      BOOST_TEST((shape == a.shapes[i]), spec << " layer " << i << ": " << nn::to_string(shape));
    }
  }
}

BOOST_AUTO_TEST_CASE(conv_and_pool_options_spaces_and_every_activation) {
  const nn::Architecture a = nn::parse_arch(
      " conv5x5:8:p2:s2 , tanh,maxpool3:s1,conv1x1:4:s1:p0,sigmoid,flatten,dense:7,sign,identity,softmax", {3, 9, 9});
  BOOST_TEST((tokens(a) == std::vector<std::string>{"conv5x5:8:s2:p2", "tanh", "maxpool3:s1", "conv1x1:4", "sigmoid",
                                                    "flatten", "dense:7", "sign", "identity", "softmax"}));
  BOOST_TEST(
      (shapes(a) == std::vector<std::string>{"8x5x5", "8x5x5", "8x3x3", "4x3x3", "4x3x3", "36", "7", "7", "7", "7"}));
  const nn::LayerSpec conv = a.layers[0];
  BOOST_TEST((conv.kind == nn::LayerKind::kConv2d && conv.units == 8u && conv.kernel == 5u && conv.stride == 2u &&
              conv.padding == 2u));
  const nn::LayerSpec pool = a.layers[2];
  BOOST_TEST((pool.kind == nn::LayerKind::kMaxPool2d && pool.kernel == 3u && pool.stride == 1u));
  // A flat input takes dense directly.
  BOOST_TEST(nn::to_string(nn::parse_arch("dense:3", nn::flat_shape(5))) == "dense:3");
}

BOOST_AUTO_TEST_CASE(the_w5_mlp_from_layers) {
  const nn::Architecture a = nn::parse_layers("784,128,200,400,10", "relu", {1, 28, 28});
  BOOST_TEST((a.input == nn::flat_shape(784)));
  BOOST_TEST(nn::to_string(a) == "dense:128,relu,dense:200,relu,dense:400,relu,dense:10");
  BOOST_TEST((shapes(a) == std::vector<std::string>{"128", "128", "200", "200", "400", "400", "10"}));
  const nn::Architecture b = nn::parse_layers("784, 64,12", "tanh", nn::flat_shape(784), "sigmoid");
  BOOST_TEST(nn::to_string(b) == "dense:64,tanh,dense:12,sigmoid");
  const nn::Architecture perceptron = nn::parse_layers("20,1", "relu", nn::flat_shape(20), "sign");
  BOOST_TEST(nn::to_string(perceptron) == "dense:1,sign");
  // The canonical --arch string parses back to the same layers on the flat input.
  BOOST_TEST(nn::to_string(nn::parse_arch(nn::to_string(a), a.input)) == nn::to_string(a));
}

BOOST_AUTO_TEST_CASE(bad_arch_specs_get_exact_messages) {
  BOOST_TEST(arch_error("conv3x3:32,relu,maxpul2") ==
             "--arch \"conv3x3:32,relu,maxpul2\": token 3 \"maxpul2\" is not a layer " + kExpected);
  BOOST_TEST(arch_error("") == "--arch \"\": no layers");
  BOOST_TEST(arch_error("relu,,dense:3") == "--arch \"relu,,dense:3\": token 2 \"\" is empty");
  BOOST_TEST(arch_error("relu,") == "--arch \"relu,\": token 2 \"\" is empty");
  BOOST_TEST(arch_error("ReLU") == "--arch \"ReLU\": token 1 \"ReLU\" is not a layer " + kExpected);
  const std::string conv_syntax =
      "is not a convolution (expected convKxK:FILTERS[:sSTRIDE][:pPAD], e.g. conv3x3:32 or conv5x5:16:s2:p2)";
  for (const std::string token : {"conv3x3", "conv3:32", "conv3x3:", "conv3x3:32:q1", "conv3x3:32:s", "convxx:1",
                                  "conv3x3:-1", "conv3x3:32:s2:p1:x"})
    BOOST_TEST(arch_error(token) == "--arch \"" + token + "\": token 1 \"" + token + "\" " + conv_syntax);
  BOOST_TEST(arch_error("conv3x3:99999999999") ==
             "--arch \"conv3x3:99999999999\": token 1 \"conv3x3:99999999999\" has a number larger than 16777216");
  BOOST_TEST(arch_error("relu,dense:16777217") ==
             "--arch \"relu,dense:16777217\": token 2 \"dense:16777217\" has a number larger than 16777216");
  BOOST_TEST(arch_error("relu,conv3x5:8") ==
             "--arch \"relu,conv3x5:8\": token 2 \"conv3x5:8\" has a non-square kernel (expected KxK with the same K "
             "twice)");
  BOOST_TEST(arch_error("conv3x3:0") ==
             "--arch \"conv3x3:0\": token 1 \"conv3x3:0\" has a zero kernel size, filter count or stride (each must "
             "be positive)");
  BOOST_TEST(arch_error("conv3x3:4:s0") ==
             "--arch \"conv3x3:4:s0\": token 1 \"conv3x3:4:s0\" has a zero kernel size, filter count or stride (each "
             "must be positive)");
  BOOST_TEST(arch_error("conv3x3:4:s2:s1") ==
             "--arch \"conv3x3:4:s2:s1\": token 1 \"conv3x3:4:s2:s1\" gives the stride twice");
  BOOST_TEST(arch_error("conv3x3:4:p1:p1") ==
             "--arch \"conv3x3:4:p1:p1\": token 1 \"conv3x3:4:p1:p1\" gives the padding twice");
  BOOST_TEST(arch_error("conv5x5:8,maxpool2,conv5x5:8", {1, 9, 9}) ==
             "--arch \"conv5x5:8,maxpool2,conv5x5:8\": token 3 \"conv5x5:8\" does not fit its input 8x2x2 (a 5x5 "
             "kernel on 2x2 with padding 0)");
  BOOST_TEST(arch_error("flatten,conv3x3:2") ==
             "--arch \"flatten,conv3x3:2\": token 2 \"conv3x3:2\" does not fit its input 784 (a 3x3 kernel on 1x1 "
             "with padding 0)");
  const std::string pool_syntax = "is not a max pooling (expected maxpoolK[:sSTRIDE], e.g. maxpool2 or maxpool3:s2)";
  for (const std::string token : {"maxpool", "maxpool2x2", "maxpool2:2", "maxpool2:s", "maxpool2:s1:s1"})
    BOOST_TEST(arch_error(token) == "--arch \"" + token + "\": token 1 \"" + token + "\" " + pool_syntax);
  BOOST_TEST(arch_error("maxpool0") ==
             "--arch \"maxpool0\": token 1 \"maxpool0\" has a zero window or stride (each must be positive)");
  BOOST_TEST(arch_error("maxpool29") ==
             "--arch \"maxpool29\": token 1 \"maxpool29\" does not fit its input 1x28x28 (a 29x29 window on 28x28)");
  for (const std::string token : {"dense", "dense:", "dense:x", "dense128", "dense:1:2", "dense:+5"})
    BOOST_TEST(arch_error(token) == "--arch \"" + token + "\": token 1 \"" + token +
                                        "\" is not a dense layer (expected dense:UNITS, e.g. dense:128)");
  BOOST_TEST(arch_error("dense:0,relu", nn::flat_shape(4)) ==
             "--arch \"dense:0,relu\": token 1 \"dense:0\" has zero units (expected at least 1)");
  BOOST_TEST(arch_error("conv3x3:32,relu,maxpool2,dense:128") ==
             "--arch \"conv3x3:32,relu,maxpool2,dense:128\": token 4 \"dense:128\" needs a flat input, got 32x13x13 "
             "(put flatten before it)");
}

BOOST_AUTO_TEST_CASE(bad_layers_specs_get_exact_messages) {
  BOOST_TEST(layers_error("784,12x,10") ==
             "--layers \"784,12x,10\": token 2 \"12x\" is not a size (expected a positive integer)");
  BOOST_TEST(layers_error("784,0,10") ==
             "--layers \"784,0,10\": token 2 \"0\" is not a size (expected a positive integer)");
  BOOST_TEST(layers_error("784,,10") ==
             "--layers \"784,,10\": token 2 \"\" is not a size (expected a positive integer)");
  BOOST_TEST(layers_error("784,20000000") == "--layers \"784,20000000\": token 2 \"20000000\" is larger than 16777216");
  BOOST_TEST(layers_error("784") == "--layers \"784\": needs at least two sizes (the input's and the output's)");
  BOOST_TEST(layers_error("785,128,10") ==
             "--layers \"785,128,10\": token 1 \"785\" is not the input's size 784 (1x28x28)");
  BOOST_TEST(layers_error("19,1", "relu", nn::flat_shape(20)) ==
             "--layers \"19,1\": token 1 \"19\" is not the input's size 20");
  BOOST_TEST(layers_error("784,10", "relux") ==
             "--activation \"relux\" is not an activation (expected relu, tanh, sigmoid, sign, identity or softmax)");
  BOOST_TEST(layers_error("784,10", "relu", {1, 28, 28}, "sigmoids") ==
             "--output-activation \"sigmoids\" is not an activation (expected relu, tanh, sigmoid, sign, identity or "
             "softmax)");
}

BOOST_AUTO_TEST_CASE(sample_shapes_from_dataset_attributes) {
  BOOST_TEST((nn::sample_shape_from({784}) == nn::flat_shape(784)));
  BOOST_TEST((nn::sample_shape_from({28, 28}) == nn::SampleShape{1, 28, 28}));
  BOOST_TEST((nn::sample_shape_from({3, 32, 32}) == nn::SampleShape{3, 32, 32}));
  BOOST_CHECK_THROW(nn::sample_shape_from({}), gibbs::ArgumentError);
  BOOST_CHECK_THROW(nn::sample_shape_from({1, 2, 3, 4}), gibbs::ArgumentError);
  BOOST_CHECK_THROW(nn::sample_shape_from({28, 0}), gibbs::ArgumentError);
}

BOOST_AUTO_TEST_SUITE_END()

// gibbs.nn:spec — the layer-list options: `--layers 784,128,10 --activation relu` (a dense
// stack) and `--arch "conv3x3:32,relu,maxpool2,flatten,dense:10"`, parsed against the input's
// sample shape into layer specs and the shape after each.
module;
#include <memory>
#include <string>
#include <string_view>
#include <vector>
export module gibbs.nn:spec;
import :shape;
import :layer;

export namespace gibbs::nn {

struct Architecture {
  SampleShape input;
  std::vector<LayerSpec> layers;
  std::vector<SampleShape> shapes;  // shapes[i]: one sample after layers[i]
};

// --arch grammar: comma-separated tokens (spaces around a token are ignored); numbers are
// decimal integers up to 2^24 = 16777216, positive except the padding:
//   convKxK:FILTERS[:sSTRIDE][:pPAD]  conv2d, K×K kernels, stride 1 and padding 0 unless given
//                                     (e.g. conv3x3:32, conv5x5:16:s2:p2; :s and :p in any order)
//   maxpoolK[:sSTRIDE]                K×K max pooling, stride K unless given (maxpool2, maxpool3:s2)
//   dense:UNITS                       fully connected; needs a flat input (put flatten first)
//   flatten | relu | tanh | sigmoid | sign | identity | softmax
// A malformed spec is an ArgumentError quoting it and naming the token (counted from 1), e.g.
//   --arch "conv3x3:32,relu,maxpul2": token 3 "maxpul2" is not a layer (expected ...)
Architecture parse_arch(std::string_view spec, SampleShape input);

// --layers "784,128,10" --activation relu: dense layers between consecutive sizes, the first
// size being the input's (any sample shape of that many values, taken as flat), `activation`
// after each hidden dense layer and `output_activation` after the last one (none when
// empty: the output is linear). Activations: relu, tanh, sigmoid, sign, identity, softmax.
// 784,128,10 with relu gives dense:128, relu, dense:10 (parameters 0.* and 2.*).
Architecture parse_layers(std::string_view sizes, std::string_view activation, SampleShape input,
                          std::string_view output_activation = {});

// The layers as an --arch string in canonical tokens ("dense:128,relu,dense:10").
std::string to_string(const Architecture& architecture);

// A new layer for `spec` taking samples of shape `input` (ArgumentError if it cannot).
std::unique_ptr<Layer> make_layer(const LayerSpec& spec, SampleShape input);

}  // namespace gibbs::nn

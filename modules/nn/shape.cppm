// gibbs.nn:shape — the shape of one sample (channels × height × width) and the layer kinds.
module;
#include <cstddef>
#include <string>
#include <vector>
export module gibbs.nn:shape;

export namespace gibbs::nn {

// One sample, NCHW order without the N: a minibatch row holds channels·height·width floats,
// channel by channel, each channel row by row. A flat vector of n features is n × 1 × 1.
struct SampleShape {
  std::size_t channels = 1;
  std::size_t height = 1;
  std::size_t width = 1;

  std::size_t size() const { return channels * height * width; }
  bool flat() const { return height == 1 && width == 1; }
  friend bool operator==(const SampleShape&, const SampleShape&) = default;
};

inline SampleShape flat_shape(std::size_t features) { return {features, 1, 1}; }

std::string to_string(SampleShape shape);  // "1x28x28"; a flat shape is just "784"

// A dataset's sample_shape attribute as a SampleShape: [D] → D (flat), [H, W] → 1×H×W,
// [C, H, W] → C×H×W. Anything else (empty, four dimensions, a zero) is an ArgumentError.
SampleShape sample_shape_from(const std::vector<std::size_t>& dims);

}  // namespace gibbs::nn

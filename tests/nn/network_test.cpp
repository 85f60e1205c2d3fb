// nn::Network: parameter names, fused forward equal to layer by layer, whole-network gradients
// against finite differences, reused buffers, the same bits for 1 to 4 threads, replicas
// that share a network's values, and gradients bound to storage outside the network.
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>
#include "tests/nn/support.h"
import gibbs.core;
import gibbs.random;
import gibbs.nn;

using gibbs::ConstView;
using gibbs::Matrix;
namespace nn = gibbs::nn;
namespace test = gibbs::test;

namespace {

const char* kCnn = "conv3x3:32,relu,maxpool2,conv3x3:64,relu,maxpool2,flatten,dense:128,relu,dense:10";

nn::Network build(const std::string& arch, nn::SampleShape input, std::uint64_t seed) {
  nn::Network net(nn::parse_arch(arch, input));
  net.initialize(seed);
  return net;
}

// Every layer's forward in turn, into fresh matrices: no fusion, no passing through.
Matrix<float> layer_by_layer(nn::Network& net, const Matrix<float>& x) {
  Matrix<float> current = x;
  for (std::size_t i = 0; i < net.size(); ++i) {
    Matrix<float> y(x.rows(), net.shapes()[i].size());
    net.layer(i).forward(current, y);
    current = std::move(y);
  }
  return current;
}

bool same_bits(ConstView<float> a, ConstView<float> b) {
  if (a.shape() != b.shape()) return false;
  for (std::size_t r = 0; r < a.rows(); ++r)
    if (std::memcmp(a.row(r).data(), b.row(r).data(), a.cols() * sizeof(float)) != 0) return false;
  return true;
}

// One training step's results: output, every parameter gradient, the input gradient.
struct Pass {
  Matrix<float> output, grad_input;
  std::vector<Matrix<float>> grads;
  double loss = 0;
};

Pass run_pass(nn::Network& net, const Matrix<float>& x, const std::vector<std::int32_t>& labels) {
  Pass p;
  net.zero_grad();
  const ConstView<float> y = net.forward(x);
  p.output = Matrix<float>(y);
  Matrix<float> dy(y.rows(), y.cols());
  p.loss = nn::softmax_cross_entropy(y, labels, dy);
  p.grad_input = Matrix<float>(x.rows(), x.cols());
  net.backward(x, dy, p.grad_input);
  for (const nn::Parameter& param : net.parameters()) p.grads.emplace_back(ConstView<float>(param.grad));
  return p;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(network)

BOOST_AUTO_TEST_CASE(parameters_are_named_as_pytorch_sequential_names_them) {
  nn::Network mlp(nn::parse_layers("784,128,200,400,10", "relu", {1, 28, 28}));
  std::vector<std::string> names;
  for (const nn::Parameter& p : mlp.parameters()) names.push_back(p.name);
  BOOST_TEST((names == std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias",
                                                "6.weight", "6.bias"}));
  nn::Network cnn(nn::parse_arch(kCnn, {1, 28, 28}));
  names.clear();
  std::vector<std::vector<std::size_t>> shapes;
  for (const nn::Parameter& p : cnn.parameters()) names.push_back(p.name), shapes.push_back(p.shape);
  BOOST_TEST((names == std::vector<std::string>{"0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias",
                                                "9.weight", "9.bias"}));
  BOOST_TEST((shapes == std::vector<std::vector<std::size_t>>{
                            {32, 1, 3, 3}, {32}, {64, 32, 3, 3}, {64}, {1600, 128}, {128}, {128, 10}, {10}}));
  BOOST_TEST((cnn.output_shape() == nn::flat_shape(10)));
  BOOST_TEST(nn::to_string(cnn.architecture()) == kCnn);
}

BOOST_AUTO_TEST_CASE(initialization_uses_one_stream_per_layer) {
  nn::Network a = build(kCnn, {1, 28, 28}, 42), b = build(kCnn, {1, 28, 28}, 42), c = build(kCnn, {1, 28, 28}, 43);
  const auto pa = a.parameters(), pb = b.parameters(), pc = c.parameters();
  for (std::size_t i = 0; i < pa.size(); ++i) {
    BOOST_TEST(same_bits(pa[i].value, pb[i].value), pa[i].name);
    BOOST_TEST(!same_bits(pa[i].value, pc[i].value), pa[i].name);
  }
  nn::Dense alone(1600, 128);
  alone.initialize(gibbs::random::streams::layer_init(42, 0, 7));
  BOOST_TEST(same_bits(alone.weight(), pa[4].value));
  BOOST_TEST(same_bits(alone.bias(), pa[5].value));
}

BOOST_AUTO_TEST_CASE(fused_forward_equals_layer_by_layer) {
  std::mt19937 rng(51);
  nn::Network cnn = build(kCnn, {1, 28, 28}, 1);
  const Matrix<float> x = test::random_matrix(8, 784, rng, 0.0f, 1.0f);
  BOOST_TEST(same_bits(cnn.forward(x), layer_by_layer(cnn, x)));
  nn::Network mlp(nn::parse_layers("30,20,10,5", "tanh", nn::flat_shape(30), "sigmoid"));
  mlp.initialize(2);
  const Matrix<float> x2 = test::random_matrix(9, 30, rng);
  BOOST_TEST(same_bits(mlp.forward(x2), layer_by_layer(mlp, x2)));
  nn::Network other = build("sign,dense:4,identity,softmax,flatten", nn::flat_shape(30), 3);
  BOOST_TEST(same_bits(other.forward(x2), layer_by_layer(other, x2)));
}

// The whole network against finite differences, on a smooth network (no relu, no pooling:
// a step would switch them) with each kind of wiring: fused epilogues, a pass-through
// identity and flatten, plain layers. Float rounding through several layers and the step's
// truncation error leave errors up to about 4e-4 of the gradient's scale, hence 2e-3.
BOOST_AUTO_TEST_CASE(gradients_match_finite_differences) {
  std::mt19937 rng(52);
  const nn::SampleShape in{2, 7, 6};
  nn::Network net = build("conv3x3:3:p1,tanh,conv2x2:4:s2:p1,sigmoid,identity,flatten,dense:5,tanh,dense:3", in, 9);
  Matrix<float> x = test::random_matrix(3, in.size(), rng);
  const Matrix<float> w = test::random_matrix(3, 3, rng);
  Matrix<float> dx(3, in.size());
  net.zero_grad();
  net.forward(x);
  net.backward(x, w, dx);
  const auto loss = [&] { return test::weighted_sum(net.forward(x), w); };
  constexpr double kTolerance = 2e-3, kStep = 3e-2;
  const auto check = [&](const std::string& name, std::span<float> value, std::vector<float> analytic) {
    test::check_fd("network " + name, test::compare_fd(value, analytic, kStep, loss), kTolerance);
    // The same check fails when one element is off by 1% of the gradient's scale.
    double squares = 0;
    for (float a : analytic) squares += static_cast<double>(a) * a;
    analytic[analytic.size() / 2] += static_cast<float>(0.01 * std::sqrt(squares / analytic.size()));
    BOOST_TEST(test::compare_fd(value, analytic, kStep, loss).worst > kTolerance,
               name << ": a corrupted gradient passed");
  };
  check("input", x.values(), std::vector<float>(dx.values().begin(), dx.values().end()));
  for (const nn::Parameter& p : net.parameters())
    check(p.name, {p.value.data(), p.value.rows() * p.value.cols()},
          std::vector<float>(p.grad.data(), p.grad.data() + p.grad.rows() * p.grad.cols()));
}

// With relu and pooling (whose kinks finite differences cannot cross), the network's backward
// against the layers' own backward passes chained by hand, unfused, in fresh buffers: the
// same bits. The layer suites check each of those against finite differences.
BOOST_AUTO_TEST_CASE(backward_equals_the_layers_chained_by_hand) {
  std::mt19937 rng(57);
  struct Case {
    std::string arch;
    nn::SampleShape in;
    std::size_t rows;
  };
  // The second ends with its pooling, whose gradient is the network's grad_output (in 4 chunks of
  // 5 samples); the third pools a tanh (whose output the pooled chunks copy out for the backward);
  // the last: dense layers only, whose 96 rows the network cuts into a block per thread.
  for (const auto& [arch, in, rows] :
       {Case{kCnn, {1, 28, 28}, 6}, Case{"conv3x3:16,relu,maxpool2", {3, 30, 30}, 20},
        Case{"conv3x3:6,tanh,maxpool2,flatten,dense:4", {2, 12, 12}, 10},
        Case{"conv3x3:4:s2:p1,relu,maxpool2:s1,flatten,identity,dense:6,sigmoid,dense:5,relu,dense:3,sign,dense:2",
             {3, 9, 8},
             6},
        Case{"flatten,dense:40,relu,dense:30,tanh,identity,dense:10,sigmoid,dense:5,softmax", {2, 5, 5}, 96}}) {
    nn::Network net = build(arch, in, 10);
    const Matrix<float> x = test::random_matrix(rows, in.size(), rng);
    const Matrix<float> dy = test::random_matrix(rows, net.output_shape().size(), rng);
    Matrix<float> dx(rows, in.size());
    net.zero_grad();
    net.forward(x);
    net.backward(x, dy, dx);
    std::vector<Matrix<float>> grads;
    for (const nn::Parameter& p : net.parameters()) grads.emplace_back(ConstView<float>(p.grad));

    net.zero_grad();
    std::vector<Matrix<float>> values{x};
    for (std::size_t i = 0; i < net.size(); ++i) {
      values.emplace_back(rows, net.shapes()[i].size());
      net.layer(i).forward(values[i], values[i + 1]);
    }
    Matrix<float> grad = dy;
    for (std::size_t i = net.size(); i-- > 0;) {
      Matrix<float> grad_in(rows, values[i].cols());
      net.layer(i).backward(values[i], values[i + 1], grad, grad_in);
      grad = std::move(grad_in);
    }
    BOOST_TEST(same_bits(grad, dx), arch << ": input gradient");
    const auto params = net.parameters();
    for (std::size_t i = 0; i < params.size(); ++i)
      BOOST_TEST(same_bits(params[i].grad, grads[i]), arch << ": " << params[i].name);
  }
}

BOOST_AUTO_TEST_CASE(input_gradient_only_when_asked_and_through_leading_pass_through_layers) {
  std::mt19937 rng(53);
  nn::Network net = build("flatten,identity,dense:4,relu,dense:2", {2, 3, 3}, 4);
  const Matrix<float> x = test::random_matrix(5, 18, rng), dy = test::random_matrix(5, 2, rng);
  net.zero_grad();
  net.forward(x);
  net.backward(x, dy);
  std::vector<Matrix<float>> without;
  for (const nn::Parameter& p : net.parameters()) without.emplace_back(ConstView<float>(p.grad));
  Matrix<float> dx(5, 18);
  net.zero_grad();
  net.forward(x);
  net.backward(x, dy, dx);
  const auto params = net.parameters();
  for (std::size_t i = 0; i < params.size(); ++i) BOOST_TEST(same_bits(params[i].grad, without[i]), params[i].name);
  // dx = dh · W0ᵀ, with dh the gradient at dense 0's output.
  nn::Dense& d0 = dynamic_cast<nn::Dense&>(net.layer(2));
  double norm = 0;
  for (float v : dx.values()) norm += std::abs(v);
  BOOST_TEST(norm > 0);
  BOOST_TEST(d0.inputs() == 18u);
  // A network of pass-through layers only: dx = dy.
  nn::Network flat = build("flatten,identity", {2, 3, 3}, 0);
  const Matrix<float> dy2 = test::random_matrix(5, 18, rng);
  flat.forward(x);
  flat.backward(x, dy2, dx);
  BOOST_TEST(same_bits(dx, dy2));
}

BOOST_AUTO_TEST_CASE(buffers_are_reused_across_minibatches) {
  std::mt19937 rng(54);
  nn::Network cnn = build(kCnn, {1, 28, 28}, 5);
  const Matrix<float> big = test::random_matrix(64, 784, rng), small = test::random_matrix(10, 784, rng);
  const float* first = cnn.forward(big).data();
  BOOST_TEST(cnn.forward(small).data() == first);
  BOOST_TEST(cnn.forward(big).data() == first);
  // The smaller batch's results are those of a network that never saw the big one.
  nn::Network fresh = build(kCnn, {1, 28, 28}, 5);
  BOOST_TEST(same_bits(cnn.forward(small), fresh.forward(small)));
}

// 96 rows: the networks of dense layers cut them into a block per thread (96, 48, 32 and 24 rows).
// In the last, a layer of 24 inputs and 256 outputs takes its input gradient with the dot-product
// kernel on 48 rows or fewer, unless told that its rows are cut.
BOOST_AUTO_TEST_CASE(the_same_bits_for_one_to_four_threads) {
  std::mt19937 rng(55);
  const Matrix<float> x = test::random_matrix(96, 784, rng, 0.0f, 1.0f);
  std::vector<std::int32_t> labels(96);
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<std::int32_t>(rng() % 10);
  const auto network = [](int which) {
    if (which == 0) return build(kCnn, {1, 28, 28}, 6);
    if (which == 1) return build("dense:24,tanh,dense:256,tanh,dense:10", nn::flat_shape(784), 6);
    nn::Network mlp(nn::parse_layers("784,128,200,400,10", "relu", {1, 28, 28}));
    mlp.initialize(6);
    return mlp;
  };
  for (const int which : {0, 1, 2}) {
    std::vector<Pass> passes;
    for (const int threads : {1, 2, 3, 4}) {
      gibbs::set_thread_count(threads);
      nn::Network net = network(which);
      passes.push_back(run_pass(net, x, labels));
    }
    gibbs::set_thread_count(0);
    for (std::size_t t = 1; t < passes.size(); ++t) {
      const std::string what = std::string(which == 0   ? "cnn"
                                           : which == 1 ? "narrow"
                                                        : "mlp") +
                               " with " + std::to_string(t + 1) + " threads";
      BOOST_TEST(passes[t].loss == passes[0].loss, what);
      BOOST_TEST(same_bits(passes[t].output, passes[0].output), what << ": output");
      BOOST_TEST(same_bits(passes[t].grad_input, passes[0].grad_input), what << ": input gradient");
      for (std::size_t i = 0; i < passes[0].grads.size(); ++i)
        BOOST_TEST(same_bits(passes[t].grads[i], passes[0].grads[i]), what << ": gradient " << i);
    }
  }
}

// A chain trained in one pass (train_chain) gives the bits of its networks' own zero_grad, forward
// and backward passes with the loss between them, for 1 to 4 threads: an encoder and decoder,
// which go through in blocks of rows, and a CNN and its dense head, which do not.
BOOST_AUTO_TEST_CASE(a_chain_trained_in_one_pass_gives_the_bits_of_network_by_network) {
  std::mt19937 rng(56);
  const std::size_t rows = 96;
  const Matrix<float> x = test::random_matrix(rows, 784, rng, 0.0f, 1.0f);
  std::vector<std::int32_t> labels(rows);
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<std::int32_t>(rng() % 10);
  struct Chain {
    std::vector<nn::Network> networks;
    bool reconstructs;
  };
  const auto chain = [](bool autoencoder) {
    Chain c{.networks = {}, .reconstructs = autoencoder};
    if (autoencoder) {
      c.networks.push_back(build("dense:64,relu,dense:12", nn::flat_shape(784), 3));
      c.networks.push_back(build("dense:24,tanh,dense:256,tanh,dense:784,sigmoid", nn::flat_shape(12), 4));
    } else {
      c.networks.push_back(build("conv3x3:8,relu,maxpool2,flatten", {1, 28, 28}, 3));
      c.networks.push_back(build("dense:32,relu,dense:10", nn::flat_shape(8 * 13 * 13), 4));
    }
    return c;
  };
  // The loss of rows [first, first + out.rows()) into their shares of it.
  const auto loss = [&](const Chain& c, std::size_t first, ConstView<float> out, gibbs::MatrixView<float> grad,
                        std::span<double> shares) {
    const nn::LossBlock block{.minibatch_rows = rows, .row_losses = shares.subspan(first, out.rows())};
    if (c.reconstructs)
      nn::mse_loss(out, x.view().block(first, 0, out.rows(), x.cols()), grad, block);
    else
      nn::softmax_cross_entropy(out, std::span(labels).subspan(first, out.rows()), grad, block);
  };
  const auto grads = [](Chain& c) {
    std::vector<Matrix<float>> all;
    for (nn::Network& n : c.networks)
      for (const nn::Parameter& p : n.parameters()) all.emplace_back(ConstView<float>(p.grad));
    return all;
  };
  for (const bool autoencoder : {true, false}) {
    // Network by network, the whole minibatch's loss between the passes.
    Chain reference = chain(autoencoder);
    nn::Network &first = reference.networks[0], &second = reference.networks[1];
    first.zero_grad();
    second.zero_grad();
    const ConstView<float> middle = first.forward(x);
    const ConstView<float> out = second.forward(middle);
    Matrix<float> grad_out(rows, out.cols()), grad_middle(rows, middle.cols());
    std::vector<double> shares(rows);
    loss(reference, 0, out, grad_out, shares);
    double expected_loss = 0;
    for (const double share : shares) expected_loss += share;
    second.backward(middle, grad_out, grad_middle);
    first.backward(x, grad_middle);
    const std::vector<Matrix<float>> expected = grads(reference);

    for (const int threads : {1, 2, 3, 4}) {
      gibbs::set_thread_count(threads);
      Chain c = chain(autoencoder);
      for (nn::Network& n : c.networks)  // train_chain sets the gradients, whatever they held
        for (const nn::Parameter& p : n.parameters())
          for (std::size_t r = 0; r < p.grad.rows(); ++r)
            for (float& v : p.grad.row(r)) v = 7.0f;
      std::vector<nn::Network*> pointers{&c.networks[0], &c.networks[1]};
      Matrix<float> grad(rows, out.cols());
      std::vector<double> row_losses(rows, -1.0);
      nn::Network::train_chain(pointers, x, grad,
                               [&](std::size_t begin, ConstView<float> output, gibbs::MatrixView<float> g) {
                                 loss(c, begin, output, g, row_losses);
                               });
      double got_loss = 0;
      for (const double share : row_losses) got_loss += share;
      const std::string what =
          std::string(autoencoder ? "autoencoder" : "cnn") + " with " + std::to_string(threads) + " threads";
      BOOST_TEST(got_loss == expected_loss, what);
      BOOST_TEST(same_bits(grad, grad_out), what << ": loss gradient");
      const std::vector<Matrix<float>> got = grads(c);
      BOOST_TEST_REQUIRE(got.size() == expected.size());
      for (std::size_t i = 0; i < got.size(); ++i)
        BOOST_TEST(same_bits(got[i], expected[i]), what << ": gradient " << i);
    }
    gibbs::set_thread_count(0);
  }
  nn::Network encoder = build("dense:12", nn::flat_shape(784), 1), decoder = build("dense:784", nn::flat_shape(10), 1);
  // An error in the loss, raised on whichever thread has the rows, reaches the caller.
  gibbs::set_thread_count(2);
  nn::Network wide = build("dense:12,tanh", nn::flat_shape(784), 1);
  std::vector<nn::Network*> one{&wide};
  Matrix<float> wide_grad(rows, 12);
  BOOST_CHECK_EXCEPTION(nn::Network::train_chain(one, x, wide_grad,
                                                 [](std::size_t first, ConstView<float>, gibbs::MatrixView<float>) {
                                                   if (first > 0)
                                                     throw gibbs::ArgumentError("rows from " + std::to_string(first));
                                                 }),
                        gibbs::ArgumentError,
                        [](const gibbs::ArgumentError& e) { return std::string(e.what()) == "rows from 48"; });
  gibbs::set_thread_count(0);
  std::vector<nn::Network*> mismatched{&encoder, &decoder};
  Matrix<float> grad(rows, 784);
  BOOST_CHECK_EXCEPTION(
      nn::Network::train_chain(mismatched, x, grad, [](std::size_t, ConstView<float>, gibbs::MatrixView<float>) {}),
      gibbs::ArgumentError, [](const gibbs::ArgumentError& e) {
        return std::string(e.what()) == "network: network 1 of the chain takes 10 values a row, and network 0 gives 12";
      });
}

// A replica reads its source's values in place (a change to them shows in its next pass) and
// keeps its own gradients: its pass gives the bits of the source's, and leaves the source's
// gradients alone.
BOOST_AUTO_TEST_CASE(a_network_sharing_values_computes_with_them_and_its_own_gradients) {
  std::mt19937 rng(58);
  const Matrix<float> x = test::random_matrix(8, 784, rng, 0.0f, 1.0f);
  std::vector<std::int32_t> labels(8);
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<std::int32_t>(rng() % 10);
  nn::Network source = build(kCnn, {1, 28, 28}, 7);
  nn::Network replica = build(kCnn, {1, 28, 28}, 8);
  replica.share_values(source);
  for (int round = 0; round < 2; ++round) {
    const Pass theirs = run_pass(source, x, labels);
    const std::vector<nn::Parameter> source_params = source.parameters();
    source.zero_grad();
    const Pass mine = run_pass(replica, x, labels);
    BOOST_TEST(same_bits(mine.output, theirs.output), "round " << round);
    BOOST_TEST(same_bits(mine.grad_input, theirs.grad_input), "round " << round);
    const std::vector<nn::Parameter> params = replica.parameters();
    for (std::size_t i = 0; i < params.size(); ++i) {
      BOOST_TEST(params[i].value.data() == source_params[i].value.data(), params[i].name);
      BOOST_TEST(params[i].grad.data() != source_params[i].grad.data(), params[i].name);
      BOOST_TEST(same_bits(mine.grads[i], theirs.grads[i]), "round " << round << ": " << params[i].name);
      for (std::size_t r = 0; r < source_params[i].grad.rows(); ++r)
        for (float v : source_params[i].grad.row(r)) BOOST_TEST_REQUIRE(v == 0.0f);
    }
    // The next round runs on changed values, which the replica must see.
    for (const nn::Parameter& p : source_params)
      for (std::size_t r = 0; r < p.value.rows(); ++r)
        for (float& v : p.value.row(r)) v *= 0.5f;
  }
  nn::Network other = build("conv3x3:32,relu,maxpool2,flatten,dense:10", {1, 28, 28}, 9);
  try {
    other.share_values(source);
    BOOST_ERROR("no error");
  } catch (const gibbs::ArgumentError& e) {
    BOOST_TEST(std::string(e.what()) == "network: shares values only with a network of the same architecture");
  }
  nn::Dense wide(784, 20), narrow(784, 10);
  BOOST_CHECK_EXCEPTION(wide.share_values(narrow), gibbs::ArgumentError, [](const gibbs::ArgumentError& e) {
    return std::string(e.what()) == "dense: shares values only with a dense layer of the same shape";
  });
}

BOOST_AUTO_TEST_CASE(gradients_bound_to_outside_storage_are_computed_there) {
  std::mt19937 rng(59);
  const Matrix<float> x = test::random_matrix(8, 784, rng, 0.0f, 1.0f);
  std::vector<std::int32_t> labels(8);
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<std::int32_t>(rng() % 10);
  nn::Network own = build(kCnn, {1, 28, 28}, 7), bound = build(kCnn, {1, 28, 28}, 7);
  std::vector<float> storage(bound.gradient_size() + 2, -1.0f);
  const std::span<float> inside = std::span<float>(storage).subspan(1, bound.gradient_size());
  bound.bind_gradients(inside);
  const Pass theirs = run_pass(own, x, labels), mine = run_pass(bound, x, labels);
  // Each parameter's gradient in turn, in parameters() order, with nothing before or after.
  const std::vector<nn::Parameter> params = bound.parameters();
  std::size_t at = 0;
  for (std::size_t i = 0; i < params.size(); ++i) {
    BOOST_TEST(params[i].grad.data() == inside.data() + at, params[i].name);
    BOOST_TEST(same_bits(mine.grads[i], theirs.grads[i]), params[i].name);
    BOOST_TEST(std::memcmp(inside.data() + at, theirs.grads[i].data(), theirs.grads[i].size() * sizeof(float)) == 0,
               params[i].name);
    at += theirs.grads[i].size();
  }
  BOOST_TEST(at == inside.size());
  BOOST_TEST(storage.front() == -1.0f);
  BOOST_TEST(storage.back() == -1.0f);
  BOOST_CHECK_EXCEPTION(
      bound.bind_gradients(inside.first(at - 1)), gibbs::ArgumentError, [&](const gibbs::ArgumentError& e) {
        return std::string(e.what()) ==
               "network: gradients take " + std::to_string(at) + " floats, not " + std::to_string(at - 1);
      });
  nn::Dense dense(3, 2);
  std::vector<float> five(5);
  BOOST_CHECK_EXCEPTION(dense.bind_gradients(five), gibbs::ArgumentError, [](const gibbs::ArgumentError& e) {
    return std::string(e.what()) == "dense: gradients take 8 floats, not 5";
  });
}

// Counted by hand: dense in·out a sample, conv2d output pixels · filters · C·K·K; forward and
// weight gradient each, and the input gradient past the first layer with parameters.
BOOST_AUTO_TEST_CASE(training_multiply_adds_are_counted_layer_by_layer) {
  const nn::Network mlp(nn::parse_layers("784,128,200,400,10", "relu", {1, 28, 28}));
  const std::size_t forward = 784 * 128 + 128 * 200 + 200 * 400 + 400 * 10;
  BOOST_TEST(mlp.training_multiply_adds(false) == 3 * forward - 784 * 128);
  BOOST_TEST(mlp.training_multiply_adds(true) == 3 * forward);
  const nn::Network cnn(nn::parse_arch(kCnn, {1, 28, 28}));
  const std::size_t conv1 = 26 * 26 * 32 * 9, rest = 11 * 11 * 64 * (32 * 9) + 1600 * 128 + 128 * 10;
  BOOST_TEST(cnn.training_multiply_adds(false) == 2 * conv1 + 3 * rest);
  BOOST_TEST(cnn.training_multiply_adds(true) == 3 * (conv1 + rest));
}

BOOST_AUTO_TEST_CASE(misuse_is_an_error) {
  std::mt19937 rng(56);
  nn::Network net = build("dense:3", nn::flat_shape(4), 0);
  const Matrix<float> x = test::random_matrix(2, 4, rng), dy(2, 3);
  BOOST_CHECK_THROW(net.backward(x, dy), gibbs::ArgumentError);  // no forward yet
  BOOST_CHECK_THROW(net.forward(Matrix<float>(2, 5)), gibbs::ShapeError);
  net.forward(x);
  BOOST_CHECK_THROW(net.backward(x, Matrix<float>(2, 4)), gibbs::ShapeError);
  std::vector<std::unique_ptr<nn::Layer>> layers;
  layers.push_back(std::make_unique<nn::Conv2d>(nn::SampleShape{1, 5, 5}, 2, 3));
  layers.push_back(std::make_unique<nn::Dense>(18, 2));  // conv's output is 2x3x3, not flat
  try {
    nn::Network bad({1, 5, 5}, std::move(layers));
    BOOST_ERROR("no error");
  } catch (const gibbs::ArgumentError& e) {
    BOOST_TEST(std::string(e.what()) ==
               "network: layer 1 (dense:2): dense: takes a flat input of 18 features, got 2x3x3");
  }
}

BOOST_AUTO_TEST_SUITE_END()

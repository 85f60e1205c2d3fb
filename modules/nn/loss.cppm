// gibbs.nn:loss — the training losses, each giving its value (a mean, as PyTorch's default
// reduction) and its gradient with respect to the network's output.
module;
#include <cstddef>
#include <cstdint>
#include <span>
export module gibbs.nn:loss;
import gibbs.core;

export namespace gibbs::nn {

// Every loss returns its value in double (each row's share of it in double, the shares added
// in row order: the same bits for any thread count) and, unless grad is an empty view, writes
// ∂loss/∂input into grad, which has the input's shape (ShapeError otherwise) and may be the
// input itself.

// For a minibatch whose loss is computed a block of rows at a time (Network::train_chain's
// loss): the block's rows are rows of a minibatch of `minibatch_rows`, whose count sets the
// mean's divisor, and each row's share of the loss goes to row_losses (one per row of the
// block). grad then holds those rows of the whole minibatch's gradient, and the whole
// minibatch's loss is the sum of every row's share in row order, bit for bit.
struct LossBlock {
  std::size_t minibatch_rows = 0;
  std::span<double> row_losses;
};

// Mean squared error over all elements (torch.nn.MSELoss): Σ (x − t)² / (rows·cols);
// grad = 2·(x − t) / (rows·cols). Within a row the squares go to eight interleaved partial
// sums, added in order (a fixed order, as everywhere).
double mse_loss(ConstView<float> prediction, ConstView<float> target, MatrixView<float> grad = {});
void mse_loss(ConstView<float> prediction, ConstView<float> target, MatrixView<float> grad, LossBlock block);

// Softmax cross-entropy over integer labels, mean over the batch (torch.nn.CrossEntropyLoss
// on logits): (1/N) Σ_n [logsumexp(z_n) − z_n,y_n], with the row maximum taken out before
// the exponentials (finite for any finite logits, ±1e4 included); grad = (softmax(z) −
// onehot(y)) / N. A label outside [0, cols) is an ArgumentError.
double softmax_cross_entropy(ConstView<float> logits, std::span<const std::int32_t> labels,
                             MatrixView<float> grad = {});
void softmax_cross_entropy(ConstView<float> logits, std::span<const std::int32_t> labels, MatrixView<float> grad,
                           LossBlock block);

// Binary cross-entropy on probabilities (torch.nn.BCELoss), mean over all elements:
// −(1/n) Σ [t·log x + (1 − t)·log(1 − x)], each log clamped below at −100 as PyTorch does, so
// x = 0 or 1 gives a finite loss. grad = (x − t) / max(x·(1 − x), 1e-12) / n, PyTorch's
// formula. Use it after a sigmoid layer; x outside [0, 1] is an ArgumentError.
double binary_cross_entropy(ConstView<float> probabilities, ConstView<float> target, MatrixView<float> grad = {});
void binary_cross_entropy(ConstView<float> probabilities, ConstView<float> target, MatrixView<float> grad,
                          LossBlock block);

// Binary cross-entropy on logits (torch.nn.BCEWithLogitsLoss), mean over all elements:
// (1/n) Σ [max(z, 0) − z·t + log(1 + e^−|z|)], stable for any z; grad = (σ(z) − t) / n.
double binary_cross_entropy_with_logits(ConstView<float> logits, ConstView<float> target, MatrixView<float> grad = {});

}  // namespace gibbs::nn

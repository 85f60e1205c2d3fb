// gibbs.plugin:model — the defaults of what a model may not support.
module;
#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <variant>
#include <vector>
module gibbs.plugin;
import gibbs.core;
import gibbs.io;

namespace gibbs {

Model::~Model() = default;

namespace {
[[noreturn]] void unsupported(const Model& model, const char* what) {
  throw Error(fmt::format("the {} model cannot {}", model.name(), what));
}
}  // namespace

void Model::initialize(const Config&, const io::DatasetInfo&, const Examples&, const Setup&) {
  unsupported(*this, "train");
}
void Model::restore(const io::Checkpoint&, const Setup&) { unsupported(*this, "be restored from a checkpoint"); }
void Model::save(io::Checkpoint&) const { unsupported(*this, "be saved"); }
std::size_t Model::input_size() const { unsupported(*this, "say its input size"); }
std::size_t Model::stages() const { return 1; }
void Model::begin_stage(std::size_t) {}
void Model::begin_epoch(std::uint64_t) {}
double Model::train_batch(const Examples&, std::uint64_t) { unsupported(*this, "train"); }
double Model::training_multiply_adds_per_row() const { return 0; }
std::size_t Model::gradient_size() const { unsupported(*this, "train data-parallel (--shards)"); }
double Model::shard_gradient(const Examples&, const Shard&, std::uint64_t, std::span<float>) {
  unsupported(*this, "train data-parallel (--shards)");
}
std::size_t Model::shard_slots(std::size_t) { return 1; }
void Model::apply_gradient(std::span<float>, std::size_t, std::uint64_t) {
  unsupported(*this, "train data-parallel (--shards)");
}
std::vector<MatrixView<float>> Model::sharded_state() { return {}; }
Metrics Model::evaluate(const Examples&, std::uint64_t) const { unsupported(*this, "evaluate"); }
std::string Model::stopping_metric() const { unsupported(*this, "stop on a tolerance"); }
bool Model::finished(const Metrics&) const { return false; }
Matrix<float> Model::reconstruct(ConstView<float>) const { unsupported(*this, "reconstruct"); }
Matrix<float> Model::predict(ConstView<float>) const { unsupported(*this, "predict"); }
std::vector<std::int32_t> Model::classify(ConstView<float>) const { return {}; }
Matrix<float> Model::encode(ConstView<float>) const { unsupported(*this, "encode"); }
void Model::sample(MatrixView<float>, std::span<const std::size_t>, std::uint64_t, std::size_t, std::size_t,
                   const std::function<void(std::size_t, ConstView<float>)>&) const {
  unsupported(*this, "sample");
}
LogPartition Model::log_partition(const Examples&, const PartitionSettings&) const {
  unsupported(*this, "compute a partition function (it has no log-likelihood)");
}

double Model::mean_free_energy(ConstView<float>) const {
  unsupported(*this, "compute a free energy (it has no log-likelihood)");
}

std::string Model::likelihood_domain_error(ConstView<float>) const { return {}; }

}  // namespace gibbs

// gibbs.plugin:model — config reads, and the defaults of what a model may not support.
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
namespace {

const io::ConfigValue& entry(const Config& config, const std::string& name) {
  const auto it = config.find(name);
  if (it == config.end()) throw ArgumentError(fmt::format("option --{} is missing from the configuration", name));
  return it->second;
}

[[noreturn]] void wrong_type(const std::string& name, const char* expected) {
  throw ArgumentError(fmt::format("option --{} is not {} in the configuration", name, expected));
}

}  // namespace

std::int64_t config_int(const Config& config, const std::string& name) {
  if (const auto* value = std::get_if<std::int64_t>(&entry(config, name))) return *value;
  wrong_type(name, "an integer");
}

double config_float(const Config& config, const std::string& name) {
  const io::ConfigValue& value = entry(config, name);
  if (const auto* d = std::get_if<double>(&value)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&value)) return static_cast<double>(*i);
  wrong_type(name, "a number");
}

std::string config_string(const Config& config, const std::string& name) {
  if (const auto* value = std::get_if<std::string>(&entry(config, name))) return *value;
  wrong_type(name, "text");
}

bool config_flag(const Config& config, const std::string& name) {
  const std::int64_t value = config_int(config, name);
  if (value != 0 && value != 1) wrong_type(name, "a flag (0 or 1)");
  return value == 1;
}

Model::~Model() = default;

namespace {
[[noreturn]] void unsupported(const Model& model, const char* what) {
  throw Error(fmt::format("the {} model cannot {}", model.name(), what));
}
}  // namespace

void Model::initialize(const Config&, const io::DatasetInfo&, const Examples&, std::uint64_t) { unsupported(*this, "train"); }
void Model::restore(const io::Checkpoint&) { unsupported(*this, "be restored from a checkpoint"); }
void Model::save(io::Checkpoint&) const { unsupported(*this, "be saved"); }
std::size_t Model::input_size() const { unsupported(*this, "say its input size"); }
void Model::begin_epoch(std::uint64_t) {}
double Model::train_batch(const Examples&, std::uint64_t) { unsupported(*this, "train"); }
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

}  // namespace gibbs

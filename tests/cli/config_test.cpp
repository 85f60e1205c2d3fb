// Every declared option of every plugin and of the driver lands in a checkpoint's /config with
// the value given (or its default), typed as declared, and a --resume that gives none again
// trains on with exactly that configuration.
#define BOOST_TEST_MODULE cli_config
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "tests/support/run_gibbs.h"
#include "tests/support/temp_dir.h"
import gibbs.core;
import gibbs.io;
import gibbs.plugin;
import gibbs.train;

namespace fs = std::filesystem;
using namespace gibbs::test;

namespace {

const std::string kDriver =
    "--epochs 1 --batch-size 2 --seed 3 --tol 0.5 --tol-on batch-error --monitor 2 --binarize stochastic --shards 2 ";

// One training per plugin, every option it has given a value other than its default, the driver's
// too unless the model refuses them (a model trained in stages keeps --tol 0 and its --epochs).
struct Case {
  std::string model, data, options;
  std::string driver = kDriver, resume = "--epochs 2 --tol 0";
};

const std::vector<Case> kCases = {
    {"rbm", "and.h5",
     "--visible bernoulli --hidden 3 --hidden-units gaussian --k 2 --persistent --negative-phase mean --lr 0.05 "
     "--lr-schedule 0.05:1,0.02 "
     "--momentum 0.5 --momentum-schedule 0.5:1,0.9 --log-likelihood-every 1 --ais-runs 5 --ais-betas 50 "
     "--weight-decay 0.001 --sparsity-target 0.2 --sparsity-cost 0.2 --init uniform-glorot4 --no-visible-bias "
     "--visible-bias-init logit-mean --visible-clip 1"},
    {"perceptron", "and.h5", "--lr 0.5 --init normal:0.1"},
    {"mlp", "and.h5",
     "--layers 2,3,1 --activation tanh --output-activation tanh --task classify --optimizer momentum --lr 0.01 "
     "--momentum 0.5 --weight-decay 0.001"},
    {"cnn", "and.h5",
     "--arch flatten,dense:1 --task classify --optimizer sgd --lr 0.01 --momentum 0.5 --weight-decay 0.1"},
    {"dbn", "and.h5",
     "--layers 2,2,1 --visible bernoulli --hidden-units bernoulli/gaussian --k 2 --negative-phase sample "
     "--lr 0.05/0.01 --momentum-schedule 0.9 --weight-decay 0.001 --init normal:0.2",
     "--epochs 1 --batch-size 2 --seed 3 --tol-on batch-error --monitor 2 --binarize stochastic --shards 2 ",
     "--epochs 1"},
    {"autoencoder", "and.h5",
     "--layers 2,2,1 --activation sigmoid --output-activation sigmoid --loss cross-entropy --pretrained dbn.h5 "
     "--optimizer adam --lr 0.01 --momentum 0.5 --weight-decay 0.001"},
};

std::vector<gibbs::PluginOption> declared(const std::string& model) {
  std::vector<gibbs::PluginOption> all =
      gibbs::load_plugin(model, std::vector<gibbs::SearchFolder>{{GIBBS_PLUGINS_DIR, "--plugin-path"}}).options();
  for (gibbs::PluginOption& o : gibbs::train::declared_options(0)) all.push_back(std::move(o));
  return all;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_option_is_in_config_as_given_and_survives_a_resume) {
  TempDir dir("gibbs-config-test");
  BOOST_REQUIRE(run_gibbs("data synth logic --op and --inputs 2 --encoding 01 -o and.h5", dir.path).status == 0);
  for (const Case& c : kCases) {
    const std::string out = c.model + ".h5";
    const Result r = run_gibbs(
        "train --model " + c.model + " --data " + c.data + " " + c.driver + c.options + " -o " + out, dir.path);
    BOOST_TEST_REQUIRE(r.status == 0, c.model + ": " + r.err);
    const gibbs::io::Checkpoint first = gibbs::io::load_checkpoint(dir.path / out);
    for (const gibbs::PluginOption& o : declared(c.model)) {
      BOOST_TEST_REQUIRE(first.config.contains(o.name), c.model + " --" + o.name);
      // The log-likelihood's options need a model with a partition function.
      if (c.model != "rbm" && (o.name == "log-likelihood-every" || o.name.starts_with("ais-"))) continue;
      const gibbs::io::ConfigValue& value = first.config.at(o.name);
      BOOST_CHECK_NO_THROW(gibbs::check_option(o, value));
      // Given on the command line (the driver's too), so not the default.
      if (c.driver != kDriver && o.name == "tol") continue;
      const bool given = (c.options + " " + c.driver).find("--" + o.name + " ") != std::string::npos ||
                         (c.options + " ").ends_with("--" + o.name + " ") || o.name == "data";
      BOOST_TEST(given, c.model + ": the case does not set --" + o.name);
      if (o.default_value && given && o.type != gibbs::OptionType::String)
        BOOST_TEST(!(value == gibbs::default_config_value(o)), c.model + " --" + o.name + " kept its default");
    }
    BOOST_TEST(first.config.size() == declared(c.model).size(), c.model);

    const Result resumed = run_gibbs("train --resume " + out + " " + c.resume, dir.path);
    BOOST_TEST_REQUIRE(resumed.status == 0, c.model + ": " + resumed.err);
    gibbs::Config expected = first.config;
    if (c.driver == kDriver) {
      expected["epochs"] = std::int64_t{2};
      expected["tol"] = 0.0;
    }
    BOOST_TEST((gibbs::io::load_checkpoint(dir.path / out).config == expected), c.model);
  }
}

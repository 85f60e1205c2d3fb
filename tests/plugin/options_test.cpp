// Tests of gibbs.plugin:options: what a for_each declares, reading a Config into the struct (defaults,
// types, the one message shape of a bad value), writing it back, and the round trip through a
// checkpoint's /config.
#define BOOST_TEST_MODULE options
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"
import gibbs.core;
import gibbs.io;
import gibbs.plugin;

namespace {

struct Sample {
  std::string data, units;
  std::int64_t hidden = 0;
  double lr = 0, momentum = 0;
  bool persistent = false;

  template <class V>
  void for_each(V& v) {
    v(data, "data", "", "the dataset", gibbs::required());
    v(units, "units", "bernoulli", "visible units", gibbs::one_of({"bernoulli", "gaussian"}));
    v(hidden, "hidden", 500, "hidden units", gibbs::at_least(1));
    v(lr, "lr", 0.01, "learning rate", gibbs::positive());
    v(momentum, "momentum", 0.0, "momentum", gibbs::in_range(0, 1, true));
    v(persistent, "persistent", false, "persistent chains");
  }
};

std::string error_of(const gibbs::Config& config) {
  try {
    gibbs::read_options<Sample>(config);
  } catch (const gibbs::ArgumentError& e) {
    return e.what();
  }
  return "no error";
}

gibbs::Config with(std::string name, gibbs::io::ConfigValue value) {
  gibbs::Config config{{"data", std::string("d.h5")}};
  config[name] = std::move(value);
  return config;
}

}  // namespace

BOOST_AUTO_TEST_CASE(for_each_declares_names_types_defaults_and_rules_in_order) {
  const std::vector<gibbs::PluginOption> declared = gibbs::declared_options<Sample>();
  BOOST_TEST_REQUIRE(declared.size() == 6u);
  std::vector<std::string> text;
  for (const gibbs::PluginOption& o : declared)
    text.push_back(o.name + " " + std::string(gibbs::to_string(o.type)) + " " + o.default_value.value_or("(none)") +
                   " [" + gibbs::describe(o.rule) + "]");
  BOOST_TEST(
      text == (std::vector<std::string>{"data string (none) []", "units string bernoulli [one of: bernoulli, gaussian]",
                                        "hidden int 500 [at least 1]", "lr float 0.01 [positive]",
                                        "momentum float 0 [in [0, 1)]", "persistent flag false []"}),
      boost::test_tools::per_element());
  BOOST_TEST(declared[0].rule.required);
  BOOST_TEST(declared[3].help == "learning rate");
}

BOOST_AUTO_TEST_CASE(reading_takes_defaults_for_absent_options_and_converts_types) {
  const Sample s = gibbs::read_options<Sample>(
      {{"data", std::string("d.h5")}, {"lr", std::int64_t{2}}, {"persistent", std::int64_t{1}}});
  BOOST_TEST(s.data == "d.h5");
  BOOST_TEST(s.units == "bernoulli");
  BOOST_TEST(s.hidden == 500);
  BOOST_TEST(s.lr == 2.0);  // an int is a float option's value too
  BOOST_TEST(s.persistent);
}

BOOST_AUTO_TEST_CASE(a_bad_value_is_one_line_naming_the_option_the_rule_and_the_value) {
  BOOST_TEST(error_of(with("lr", -1.0)) == "--lr: must be positive, got -1");
  BOOST_TEST(error_of(with("lr", 0.0)) == "--lr: must be positive, got 0");
  BOOST_TEST(error_of(with("hidden", std::int64_t{0})) == "--hidden: must be at least 1, got 0");
  BOOST_TEST(error_of(with("momentum", 1.0)) == "--momentum: must be in [0, 1), got 1");
  BOOST_TEST(error_of(with("momentum", 0.999)) == "no error");
  BOOST_TEST(error_of(with("units", std::string("ising"))) ==
             "--units: must be one of: bernoulli, gaussian, got 'ising'");
  BOOST_TEST(error_of(with("hidden", 2.5)) == "--hidden: must be an integer, got 2.5");
  BOOST_TEST(error_of(with("lr", std::string("fast"))) == "--lr: must be a number, got 'fast'");
  BOOST_TEST(error_of(with("persistent", std::int64_t{2})) == "--persistent: must be a flag (0 or 1), got 2");
  BOOST_TEST(error_of(with("lr", std::numeric_limits<double>::quiet_NaN())) ==
             "--lr: must be a finite number, got nan");
  BOOST_TEST(error_of({}) == "--data: required, got nothing");
}

BOOST_AUTO_TEST_CASE(every_field_round_trips_through_a_checkpoint_config) {
  gibbs::test::TempDir dir("gibbs-options");
  Sample s;
  s.data = "/data/x.h5";
  s.units = "gaussian";
  s.hidden = 7;
  s.lr = 0.125;
  s.momentum = 0.5;
  s.persistent = true;
  gibbs::io::Checkpoint checkpoint;
  checkpoint.model = "test";
  gibbs::write_options(s, checkpoint.config);
  BOOST_TEST(checkpoint.config.size() == gibbs::declared_options<Sample>().size());
  gibbs::io::save_checkpoint(checkpoint, dir.path / "c.h5");
  const gibbs::io::Checkpoint loaded = gibbs::io::load_checkpoint(dir.path / "c.h5");
  BOOST_TEST((loaded.config == checkpoint.config));
  const Sample back = gibbs::read_options<Sample>(loaded.config);
  BOOST_TEST(back.data == s.data);
  BOOST_TEST(back.units == s.units);
  BOOST_TEST(back.hidden == s.hidden);
  BOOST_TEST(back.lr == s.lr);
  BOOST_TEST(back.momentum == s.momentum);
  BOOST_TEST(back.persistent == s.persistent);
}

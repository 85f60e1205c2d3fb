// README's option tables against the declarations they document: every option of every plugin and
// of the training driver appears once, with the default `--help` shows, and no row documents an
// option that does not exist. A table says whose options it holds with a marker line above it,
// `<!-- options: rbm -->` (several names: options they share; `train`: the driver's).
#define BOOST_TEST_MODULE readme
#include <boost/test/unit_test.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>
import gibbs.core;
import gibbs.plugin;
import gibbs.train;

namespace fs = std::filesystem;

namespace {

struct Row {
  std::string option, default_text;
};

// Each marked table's rows, by the names its marker lists.
std::vector<std::pair<std::vector<std::string>, std::vector<Row>>> marked_tables() {
  std::ifstream in(fs::path(GIBBS_SOURCE_DIR) / "README.md");
  BOOST_TEST_REQUIRE(in.good());
  std::vector<std::pair<std::vector<std::string>, std::vector<Row>>> tables;
  bool in_table = false;
  for (std::string line; std::getline(in, line);) {
    const std::string marker = "<!-- options: ";
    if (line.starts_with(marker)) {
      std::istringstream names(line.substr(marker.size(), line.size() - marker.size() - 4));
      tables.emplace_back();
      for (std::string name; names >> name;) tables.back().first.push_back(name);
      in_table = true;
      continue;
    }
    if (!in_table) continue;
    if (!line.starts_with("|")) {
      if (!tables.back().second.empty()) in_table = false;
      continue;
    }
    if (!line.starts_with("| `--")) continue;  // the header and its rule
    const std::size_t name_end = line.find_first_of(" `", 5);
    const std::size_t cell = line.find(" | ", 2) + 3, cell_end = line.find(" | ", cell);
    tables.back().second.push_back({line.substr(5, name_end - 5), line.substr(cell, cell_end - cell)});
  }
  return tables;
}

gibbs::Discovery plugins() {
  const std::vector<gibbs::SearchFolder> folders{{GIBBS_PLUGINS_DIR, "--plugin-path"}};
  gibbs::Discovery found = gibbs::discover(folders);
  BOOST_TEST_REQUIRE(found.problems.empty());
  return found;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_plugin_option_is_documented_once_with_its_default) {
  const auto tables = marked_tables();
  const gibbs::Discovery found = plugins();
  BOOST_TEST_REQUIRE(found.plugins.size() == 6u);
  for (const gibbs::PluginLibrary& p : found.plugins) {
    std::map<std::string, std::string> declared{{"batch-size", std::to_string(p.default_batch_size())}};
    for (const gibbs::PluginOption& o : p.options()) declared[o.name] = o.default_value.value_or("—");
    std::map<std::string, int> seen;
    for (const auto& [names, rows] : tables) {
      if (std::find(names.begin(), names.end(), p.name()) == names.end()) continue;
      for (const Row& row : rows) {
        ++seen[row.option];
        BOOST_TEST(declared.contains(row.option), p.name() << ": README documents --" << row.option);
        if (declared.contains(row.option))
          BOOST_TEST(row.default_text == declared[row.option], p.name() << " --" << row.option);
      }
    }
    for (const auto& [name, _] : declared) BOOST_TEST(seen[name] == 1, p.name() << " --" << name << " rows");
  }
}

BOOST_AUTO_TEST_CASE(the_drivers_options_are_documented_with_each_models_batch_size) {
  std::vector<Row> rows;
  for (const auto& [names, table] : marked_tables())
    if (names == std::vector<std::string>{"train"}) rows = table;
  const std::vector<gibbs::PluginOption> declared = gibbs::train::declared_options(0);
  BOOST_TEST_REQUIRE(rows.size() == declared.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    BOOST_TEST(rows[i].option == declared[i].name);
    if (declared[i].name == "batch-size") {
      for (const gibbs::PluginLibrary& p : plugins().plugins)
        BOOST_TEST(
            rows[i].default_text.find(fmt::format("{} {}", p.name(), p.default_batch_size())) != std::string::npos,
            p.name());
    } else {
      BOOST_TEST(rows[i].default_text == declared[i].default_value.value_or("—"), declared[i].name);
    }
  }
}

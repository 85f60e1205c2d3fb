// The CLI's side of plugins: the search path it was given (--plugin-path), and a plugin's option
// declarations as Program_options (what `gibbs train --model X --help` shows). Include it last.
#pragma once

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/variables_map.hpp>

#include <span>
#include <string>
#include <vector>
import gibbs.io;
import gibbs.plugin;

namespace gibbs::cli {

// --plugin-path values, each a colon-separated list of folders: the global ones (main.cpp)
// first, then any a command adds.
std::vector<std::string>& plugin_path();

// plugin_path(), then GIBBS_PLUGIN_PATH, then the folder installed beside the executable.
std::vector<SearchFolder> plugin_search_path();

// One typed option per declaration: int → int64, float → double, string, flag → a switch;
// defaults shown as the plugin wrote them.
boost::program_options::options_description plugin_options(const std::string& caption,
                                                           std::span<const PluginOption> options);

// The options given on the command line (not defaulted), as Config values.
Config given_options(const boost::program_options::variables_map& vm, std::span<const PluginOption> declared);

}  // namespace gibbs::cli

// A command's --json output read back: one property tree per line.
#pragma once

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <sstream>
#include <string>
#include <vector>

namespace gibbs::test {

inline std::vector<boost::property_tree::ptree> json_lines(const std::string& text) {
  std::vector<boost::property_tree::ptree> records;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream one(line);
    boost::property_tree::read_json(one, records.emplace_back());
  }
  return records;
}

}  // namespace gibbs::test

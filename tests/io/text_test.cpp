// gibbs.io:text — the strict JSON and CSV parsers: good inputs parse exactly, bad inputs give the
// exact one-line message with the line and column.
#define BOOST_TEST_MODULE text
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>
import gibbs.core;
import gibbs.io;

namespace io = gibbs::io;

namespace {

std::string json_error(const std::string& text) {
  try {
    io::parse_json_data_array(text, "f.json");
  } catch (const gibbs::FormatError& e) {
    return e.what();
  }
  return "no error";
}

std::string csv_error(const std::string& text, bool header = false) {
  try {
    io::parse_csv(text, "f.csv", header);
  } catch (const gibbs::FormatError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

BOOST_AUTO_TEST_CASE(json_good_inputs) {
  const std::vector<float> v =
      io::parse_json_data_array(" {\n \"data\" :\t[0, 0.5,1,-2.5e-1 , 1E2,0.004]\r\n}\n", "f.json");
  const std::vector<float> expected = {0.0f, 0.5f, 1.0f, -0.25f, 100.0f, 0.004f};
  BOOST_TEST(v == expected, boost::test_tools::per_element());
  BOOST_TEST(io::parse_json_data_array(R"({"data":[]})", "f.json").empty());
}

BOOST_AUTO_TEST_CASE(json_bad_inputs_name_line_and_column) {
  BOOST_TEST(json_error("") ==
             "f.json: line 1, column 1: expected '{' at the start of the file, found the end of the file");
  BOOST_TEST(json_error("[1]") == "f.json: line 1, column 1: expected '{' at the start of the file, found '['");
  BOOST_TEST(json_error("{}") == "f.json: line 1, column 2: the object has no \"data\" member");
  BOOST_TEST(json_error(R"({"labels": [1]})") ==
             "f.json: line 1, column 2: unexpected key \"labels\" (expected \"data\")");
  BOOST_TEST(json_error("{\"data\": [1,\n  2,, 3]}") == "f.json: line 2, column 5: expected a number, found ','");
  BOOST_TEST(json_error("{\"data\": [1 2]}") ==
             "f.json: line 1, column 13: expected ',' or ']' in the array, found '2'");
  BOOST_TEST(json_error(R"({"data": [1, NaN]})") == "f.json: line 1, column 14: expected a number, found 'N'");
  BOOST_TEST(json_error(R"({"data": [1, "2"]})") == "f.json: line 1, column 14: expected a number, found '\"'");
  BOOST_TEST(json_error(R"({"data": [.5]})") == "f.json: line 1, column 11: expected a number, found '.'");
  BOOST_TEST(json_error(R"({"data": [1.]})") == "f.json: line 1, column 13: expected a digit after '.', found ']'");
  BOOST_TEST(json_error(R"({"data": [-]})") == "f.json: line 1, column 12: expected a digit, found ']'");
  BOOST_TEST(json_error(R"({"data": [01]})") ==
             "f.json: line 1, column 12: expected ',' or ']' in the array, found '1'");
  BOOST_TEST(json_error(R"({"data": [1e]})") ==
             "f.json: line 1, column 13: expected a digit in the exponent, found ']'");
  BOOST_TEST(json_error(R"({"data": [1e999]})") ==
             "f.json: line 1, column 11: number 1e999 is out of range for float32");
  BOOST_TEST(io::parse_json_data_array(R"({"data": [1e-999]})", "f.json") == std::vector<float>{0.0f},
             boost::test_tools::per_element());
  BOOST_TEST(json_error(R"({"data": [1e39]})") == "f.json: line 1, column 11: number 1e39 is out of range for float32");
  BOOST_TEST(json_error(R"({"data": [1, 2)") ==
             "f.json: line 1, column 15: expected ',' or ']' in the array, found the end of the file");
  BOOST_TEST(json_error(R"({"data": [1], "x": 2})") ==
             "f.json: line 1, column 13: unexpected second member (only \"data\" is expected)");
  BOOST_TEST(json_error("{\"data\": [1]}\nx") == "f.json: line 2, column 1: unexpected 'x' after the object");
  BOOST_TEST(json_error(R"({"data": [1])") ==
             "f.json: line 1, column 13: expected '}' after the \"data\" array, found the end of the file");
}

BOOST_AUTO_TEST_CASE(csv_good_inputs) {
  const io::CsvTable t = io::parse_csv("a, b ,c\r\n1,2.5,-3\r\n +4 ,5e-1,\t6\n", "f.csv", true);
  BOOST_TEST(t.header == (std::vector<std::string>{"a", "b", "c"}), boost::test_tools::per_element());
  BOOST_TEST(t.rows == 2u);
  BOOST_TEST(t.cols == 3u);
  BOOST_TEST(t.first_line == 2u);
  const std::vector<double> expected = {1, 2.5, -3, 4, 0.5, 6};
  BOOST_TEST(t.values == expected, boost::test_tools::per_element());
  const io::CsvTable single = io::parse_csv("7", "f.csv", false);  // no final newline
  BOOST_TEST(single.rows == 1u);
  BOOST_TEST(single.at(0, 0) == 7.0);
}

BOOST_AUTO_TEST_CASE(csv_bad_inputs_name_line_and_column) {
  BOOST_TEST(csv_error("") == "f.csv: no data rows");
  BOOST_TEST(csv_error("a,b\n", true) == "f.csv: no data rows after the header");
  BOOST_TEST(csv_error("1,2\n3,x\n") == "f.csv: line 2, column 2: 'x' is not a number");
  BOOST_TEST(csv_error("1,2\n3,\n") == "f.csv: line 2, column 2: missing value");
  BOOST_TEST(csv_error("1,2\n3,4,5\n") == "f.csv: line 2: 3 fields, expected 2 (as on line 1)");
  BOOST_TEST(csv_error("a,b\n1,2\n3\n", true) == "f.csv: line 3: 1 fields, expected 2 (as on line 1)");
  BOOST_TEST(csv_error("1,2\n\n3,4\n") == "f.csv: line 2: empty line");
  BOOST_TEST(csv_error("1,nan\n") == "f.csv: line 1, column 2: 'nan' is not a finite number");
  BOOST_TEST(csv_error("1,2\n-inf,4\n") == "f.csv: line 2, column 1: '-inf' is not a finite number");
  BOOST_TEST(csv_error("1,1e999\n") == "f.csv: line 1, column 2: '1e999' is out of range");
  BOOST_TEST(io::parse_csv("1e-999\n", "f.csv", false).at(0, 0) == 0.0);  // underflow is zero
  BOOST_TEST(csv_error("1,\"2\"\n") == "f.csv: line 1, column 2: '\"2\"' is not a number");
  BOOST_TEST(csv_error("1,2 3\n") == "f.csv: line 1, column 2: '2 3' is not a number");
}

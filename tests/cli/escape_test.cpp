// Text from files and options as the CLI prints it: control characters and bytes that are not
// UTF-8 escaped for a terminal, replaced for JSON (issue 14: class names and messages echoed raw).
#define BOOST_TEST_MODULE escape
#include <boost/test/unit_test.hpp>

#include <string>

#include "tests/support/run_gibbs.h"
#include "tests/support/temp_dir.h"
#include "tools/gibbs/escape.h"
#include "tools/gibbs/json.h"

using gibbs::cli::json_string;
using gibbs::cli::printable;
using gibbs::cli::utf8_length;

BOOST_AUTO_TEST_CASE(utf8_sequences_are_told_from_malformed_bytes) {
  BOOST_TEST(utf8_length("a", 0) == 1u);
  BOOST_TEST(utf8_length("é", 0) == 2u);                 // U+00E9
  BOOST_TEST(utf8_length("β", 0) == 2u);                 // U+03B2
  BOOST_TEST(utf8_length("€", 0) == 3u);                 // U+20AC
  BOOST_TEST(utf8_length("𝔼", 0) == 4u);                 // U+1D53C
  BOOST_TEST(utf8_length("\x80", 0) == 0u);              // a continuation byte alone
  BOOST_TEST(utf8_length("\xc0\xaf", 0) == 0u);          // overlong '/'
  BOOST_TEST(utf8_length("\xed\xa0\x80", 0) == 0u);      // a surrogate, U+D800
  BOOST_TEST(utf8_length("\xf4\x90\x80\x80", 0) == 0u);  // past U+10FFFF
  BOOST_TEST(utf8_length("\xe2\x82", 0) == 0u);          // cut short
}

BOOST_AUTO_TEST_CASE(printable_escapes_controls_and_malformed_bytes_only) {
  BOOST_TEST(printable("β = 0.5, 7 × 7") == "β = 0.5, 7 × 7");
  BOOST_TEST(printable("a\x1b[31mred\tb\x7f") == "a\\x1b[31mred\\x09b\\x7f");
  // C1 controls and the bidirectional overrides and marks, which reorder what a terminal shows.
  BOOST_TEST(printable("evil\u202egpj.h5 \u200f\u2066x\u2069 \u0085") ==
             "evil\\u202egpj.h5 \\u200f\\u2066x\\u2069 \\u0085");
  BOOST_TEST(printable("\u2070 \u202f \u00a0") == "\u2070 \u202f \u00a0");  // neighbours stay
  BOOST_TEST(printable("x\xff"
                       "y\xe2\x82") == "x\\xffy\\xe2\\x82");
}

BOOST_AUTO_TEST_CASE(json_strings_are_valid_utf8) {
  BOOST_TEST(json_string("say \"hi\"\\\n") == "\"say \\\"hi\\\"\\\\\\u000a\"");
  BOOST_TEST(json_string("T-shirt/top é") == "\"T-shirt/top é\"");
  BOOST_TEST(json_string("bad\xff\xfe") == "\"bad\\ufffd\\ufffd\"");
}

BOOST_AUTO_TEST_CASE(an_error_line_never_carries_a_control_character) {
  gibbs::test::TempDir dir;
  const gibbs::test::Result r = gibbs::test::run_gibbs("inspect \"$(printf 'a\\033[2Jb.h5')\"", dir.path);
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.err == "gibbs: a\\x1b[2Jb.h5: no such file\n");
}

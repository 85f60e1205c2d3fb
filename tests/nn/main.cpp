// The gibbs.nn test executable: the suites are in the other files of this folder.
#define BOOST_TEST_MODULE nn
#include <boost/test/unit_test.hpp>

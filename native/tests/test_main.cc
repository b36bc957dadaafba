#include <gtest/gtest.h>

int main(int argc, char** argv) {
  // Death tests re-run the test binary instead of forking a threaded process, which is what
  // works under the sanitizers.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

# Precompiled headers, the largest cut of build time: most translation units
# spend more time parsing the standard library, nlohmann/json and the test
# frameworks than compiling their own code. Two holder libraries compile each
# header set once; every target reuses one of them (imagelib_apply_flags), which
# GCC accepts only with the same compile flags, hence imagelib_apply_flags on
# the holders too. CMake adds -Winvalid-pch, so a rejected header shows (an
# error under IMAGELIB_WERROR) instead of making a silently slow build.
#   product: the standard library headers most files use and nlohmann/json;
#   test:    the same plus GoogleTest, GoogleMock and RapidCheck.
# Configure with -DIMAGELIB_PCH=OFF to check that every file includes what it
# uses.

set(IMAGELIB_PCH_PRODUCT_HEADERS
  <algorithm> <array> <chrono> <cstdint> <cstring> <deque> <filesystem>
  <functional> <map> <memory> <optional> <set> <string> <string_view>
  <utility> <vector> <nlohmann/json.hpp>)
set(IMAGELIB_PCH_TEST_HEADERS ${IMAGELIB_PCH_PRODUCT_HEADERS}
  <gtest/gtest.h> <gmock/gmock.h> <rapidcheck.h> <rapidcheck/gtest.h>)

function(imagelib_add_pch_holder family headers)
  set(holder imagelib_pch_${family})
  add_library(${holder} STATIC ${PROJECT_SOURCE_DIR}/cmake/pch_holder.cc)
  imagelib_apply_flags(${holder} PCH none)
  target_link_libraries(${holder} PRIVATE ${ARGN})
  target_precompile_headers(${holder} PRIVATE ${headers})
endfunction()

if(IMAGELIB_PCH)
  imagelib_add_pch_holder(product "${IMAGELIB_PCH_PRODUCT_HEADERS}"
                          nlohmann_json::nlohmann_json)
  if(IMAGELIB_BUILD_TESTS)
    imagelib_add_pch_holder(test "${IMAGELIB_PCH_TEST_HEADERS}"
                            nlohmann_json::nlohmann_json rapidcheck GTest::gmock)
  endif()
endif()


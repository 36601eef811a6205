# Helpers that give every target of the project the same flags:
#   imagelib_add_library(NAME SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
#     builds imagelib_NAME with the alias imagelib::NAME;
#   imagelib_add_test(NAME SOURCES ... DEPS ...)
#     builds a GoogleTest binary and registers its tests with ctest.

set(IMAGELIB_WARNINGS
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Woverloaded-virtual -Wimplicit-fallthrough
  # Designated initialisers that leave fields at their defaults are intended.
  -Wno-missing-field-initializers)
if(IMAGELIB_WERROR)
  list(APPEND IMAGELIB_WARNINGS -Werror)
endif()

if(IMAGELIB_SANITIZE)
  # GCC 12 instrumented by ASan reports -Wmaybe-uninitialized inside
  # libstdc++'s <regex> and <functional> (false positives); the plain build
  # keeps the warning.
  list(APPEND IMAGELIB_WARNINGS -Wno-maybe-uninitialized)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

function(imagelib_apply_flags target)
  target_compile_options(${target} PRIVATE ${IMAGELIB_WARNINGS})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
endfunction()

function(imagelib_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(imagelib_${name} STATIC ${ARG_SOURCES})
  add_library(imagelib::${name} ALIAS imagelib_${name})
  imagelib_apply_flags(imagelib_${name})
  target_link_libraries(imagelib_${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

function(imagelib_add_test name)
  if(NOT IMAGELIB_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  imagelib_apply_flags(${name})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} rapidcheck_gtest rapidcheck
                        GTest::gmock GTest::gtest_main)
  # Tests that read files of the checkout (scenarios, samples) find them here.
  target_compile_definitions(${name} PRIVATE IMAGELIB_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60)
endfunction()

# Helpers that give every target of the project the same flags:
#   imagelib_add_library(NAME SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
#     builds imagelib_NAME with the alias imagelib::NAME;
#   imagelib_add_test(NAME [THREADS] SOURCES ... DEPS ...)
#     builds a GoogleTest binary and registers its tests with ctest; THREADS
#     (the code under test runs real threads) labels them `threads`;
#   imagelib_apply_flags(TARGET [PCH product|test|none])
#     the warnings, the include root and a family of precompiled headers
#     (cmake/ImagelibPch.cmake), product unless told.

set(IMAGELIB_WARNINGS
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Woverloaded-virtual -Wimplicit-fallthrough
  # Designated initialisers that leave fields at their defaults are intended.
  -Wno-missing-field-initializers)
if(IMAGELIB_WERROR)
  list(APPEND IMAGELIB_WARNINGS -Werror)
endif()

# Line tables only (-g1, after the build type's -g): backtraces and sanitizer
# reports keep file:line, and template-heavy units (Beast, json) compile about
# a third faster than with full debug info. Build type Debug debugs fully.
add_compile_options($<$<CONFIG:RelWithDebInfo>:-g1>)

if(IMAGELIB_SANITIZE)
  # GCC 12 instrumented by ASan reports -Wmaybe-uninitialized inside
  # libstdc++'s <regex> and <functional> (false positives); the plain build
  # keeps the warning.
  list(APPEND IMAGELIB_WARNINGS -Wno-maybe-uninitialized)
  # -O1 as the sanitizers' documentation advises, and no alignment check:
  # x86-64 does not fault on it, and it alone made Beast and json units take
  # half again as long to compile. Measured on net/api_client.cc: 220 s with
  # -O2 -g and every check, 97 s like this (plain build: 43 s).
  add_compile_options(-O1 -fsanitize=address,undefined -fno-sanitize=alignment
                      -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

if(IMAGELIB_TSAN)
  if(IMAGELIB_SANITIZE)
    message(FATAL_ERROR "IMAGELIB_TSAN and IMAGELIB_SANITIZE cannot be combined")
  endif()
  list(APPEND IMAGELIB_WARNINGS -Wno-maybe-uninitialized -Wno-tsan)
  add_compile_options(-O1 -fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()

function(imagelib_apply_flags target)
  cmake_parse_arguments(ARG "" "PCH" "" ${ARGN})
  target_compile_options(${target} PRIVATE ${IMAGELIB_WARNINGS})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
  if(IMAGELIB_PCH AND NOT ARG_PCH STREQUAL "none")
    if(NOT ARG_PCH)
      set(ARG_PCH product)
    endif()
    target_precompile_headers(${target} REUSE_FROM imagelib_pch_${ARG_PCH})
  endif()
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
  cmake_parse_arguments(ARG "THREADS" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  imagelib_apply_flags(${name} PCH test)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} rapidcheck_gtest rapidcheck
                        GTest::gmock GTest::gtest_main)
  # Tests that read files of the checkout (scenarios, samples) find them here.
  target_compile_definitions(${name} PRIVATE IMAGELIB_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  set(labels "")
  if(ARG_THREADS)
    set(labels threads)
    set_property(GLOBAL APPEND PROPERTY IMAGELIB_THREAD_TESTS ${name})
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${labels}")
endfunction()

# tinyloop_library(NAME <module> SRCS ... DEPS ... [PUBLIC_DEPS ...])
#   Creates target tinyloop_<module> with alias tinyloop::<module>. Includes are rooted at src/.
#   DEPS are linked PRIVATE; PUBLIC_DEPS only when a public header exposes them.
# tinyloop_test(NAME <module>_test SRCS ... DEPS ...)
#   One GoogleTest binary per module, registered with CTest.
function(tinyloop_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;PUBLIC_DEPS" ${ARGN})
  set(target tinyloop_${ARG_NAME})
  add_library(${target} STATIC ${ARG_SRCS})
  add_library(tinyloop::${ARG_NAME} ALIAS ${target})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${target} PRIVATE ${ARG_DEPS} PUBLIC ${ARG_PUBLIC_DEPS})
endfunction()

function(tinyloop_test)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${ARG_NAME} PRIVATE
    TINYLOOP_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    TINYLOOP_BINARY_DIR="${PROJECT_BINARY_DIR}")
  gtest_discover_tests(${ARG_NAME} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
endfunction()

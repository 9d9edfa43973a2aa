# cmake -DSOURCE_DIR=<src/dsp> -DINCLUDE_DIR=<src> -DOUT_DIR=<dir> -P check_arm_build.cmake
# Compiles every freestanding src/dsp source (all .cc except tests) for a Cortex-M4
# with the firmware flags, then checks the objects for heap/exception/RTTI symbols.
# Fails, never skips, when the cross compiler is missing (scripts/setup installs it).
find_program(ARM_GXX arm-none-eabi-g++)
find_program(ARM_NM arm-none-eabi-nm)
if(NOT ARM_GXX OR NOT ARM_NM)
  message(FATAL_ERROR "arm-none-eabi-g++/arm-none-eabi-nm not found: install gcc-arm-none-eabi, "
                      "libnewlib-arm-none-eabi and libstdc++-arm-none-eabi-newlib (scripts/setup) "
                      "to check that src/dsp builds for a Cortex-M4")
endif()
file(GLOB_RECURSE sources RELATIVE "${SOURCE_DIR}" "${SOURCE_DIR}/*.cc")
list(FILTER sources EXCLUDE REGEX "_test\\.cc$")
list(LENGTH sources count)
if(count EQUAL 0)
  message(FATAL_ERROR "no sources found under ${SOURCE_DIR}")
endif()
file(MAKE_DIRECTORY "${OUT_DIR}")
set(failed "")
set(objects "")
foreach(src IN LISTS sources)
  string(REPLACE "/" "_" obj "${src}")
  set(obj "${OUT_DIR}/${obj}.o")
  execute_process(
    COMMAND "${ARM_GXX}" -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -O2
            -fno-exceptions -fno-rtti -fno-threadsafe-statics -std=c++17 -Wall -Wextra -Werror
            -I "${INCLUDE_DIR}" -c "${SOURCE_DIR}/${src}" -o "${obj}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(APPEND failed "${src}:\n${out}${err}\n")
  else()
    list(APPEND objects "${obj}")
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "src/dsp does not build for Cortex-M4:\n${failed}")
endif()
execute_process(COMMAND "${ARM_NM}" -C ${objects} OUTPUT_VARIABLE symbols RESULT_VARIABLE rc)
string(REGEX MATCHALL "[^\n]*(operator new|operator delete| malloc| free|__cxa_throw|typeinfo|__cxa_guard)[^\n]*"
       bad "${symbols}")
if(bad)
  string(REPLACE ";" "\n" bad "${bad}")
  message(FATAL_ERROR "Cortex-M4 objects of src/dsp reference the heap/exceptions/RTTI:\n${bad}")
endif()
message(STATUS "compiled ${count} src/dsp sources for Cortex-M4: ${sources}")

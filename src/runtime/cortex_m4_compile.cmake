# cmake -DSOURCES=a.cc|b.cc -DINCLUDE_DIR=... -DOUT_DIR=... -P cortex_m4_compile.cmake
# Compiles each runtime source with arm-none-eabi-g++ for a Cortex-M4 (hard float), exactly the
# flags firmware uses. Fails when the cross compiler is missing or any source does not compile.
find_program(ARM_GXX arm-none-eabi-g++)
if(NOT ARM_GXX)
  message(FATAL_ERROR "arm-none-eabi-g++ not found: install gcc-arm-none-eabi and "
                      "libstdc++-arm-none-eabi-newlib (scripts/setup) to check the Cortex-M4 build")
endif()
string(REPLACE "|" ";" source_list "${SOURCES}")
file(MAKE_DIRECTORY "${OUT_DIR}")
set(failed 0)
foreach(src IN LISTS source_list)
  get_filename_component(name "${src}" NAME_WE)
  string(MD5 tag "${src}")
  execute_process(
    COMMAND "${ARM_GXX}" -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -O2
            -fno-exceptions -fno-rtti -fno-threadsafe-statics -std=c++17 -Wall -Wextra -Werror
            -I "${INCLUDE_DIR}" -c "${src}" -o "${OUT_DIR}/${name}_${tag}.o"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(SEND_ERROR "Cortex-M4 compile failed: ${src}\n${out}${err}")
    set(failed 1)
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "runtime does not build for Cortex-M4")
endif()
list(LENGTH source_list count)
message(STATUS "compiled ${count} runtime sources for Cortex-M4")

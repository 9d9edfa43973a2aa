# cmake -DNM=<nm> -DLIBRARY=<libtinyloop_dsp.a> -P check_no_heap_symbols.cmake
# Fails when the DSP library references the heap (operator new/delete, malloc and friends),
# exceptions (__cxa_throw, __cxa_allocate_exception), RTTI (typeinfo) or thread-safe static
# guards (__cxa_guard_*): the freestanding contract of src/dsp, checked on the real objects.
if(NOT EXISTS "${LIBRARY}")
  message(FATAL_ERROR "DSP library not found: ${LIBRARY} (build target tinyloop_dsp first)")
endif()
execute_process(COMMAND "${NM}" -C "${LIBRARY}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE symbols ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} -C ${LIBRARY} failed: ${err}")
endif()
set(forbidden
  "operator new" "operator delete" "malloc" "calloc" "realloc" "free" "aligned_alloc"
  "posix_memalign" "__cxa_throw" "__cxa_allocate_exception" "__cxa_begin_catch" "typeinfo"
  "__cxa_guard_acquire")
string(REPLACE "\n" ";" lines "${symbols}")
set(bad "")
foreach(line IN LISTS lines)
  foreach(word IN LISTS forbidden)
    # Whole symbol names only ("free" must not match "freestanding").
    string(REGEX MATCH "[ \t]${word}([( \t]|$)" hit "${line}")
    if(hit)
      string(APPEND bad "  ${line}\n")
    endif()
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR "src/dsp references the heap, exceptions or RTTI:\n${bad}")
endif()
message(STATUS "no heap, exception or RTTI symbols in ${LIBRARY}")

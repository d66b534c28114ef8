# openamp/aarch64-generic.cmake - CMake toolchain file: libmetal (generic
# system, template machine) and open-amp for this sample's bare-metal AArch64
# host. The Makefile passes CROSS and the flags (CMAKE_C_FLAGS).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
if(NOT DEFINED CROSS)
  set(CROSS aarch64-linux-gnu-)
endif()
set(CMAKE_C_COMPILER ${CROSS}gcc)
# no OS, no crt0 to link a test program with: try_compile builds a library
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)

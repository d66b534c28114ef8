# cmake/arm-none-eabi.cmake - CMake toolchain file for bare-metal Arm with the
# GNU Arm Embedded toolchain (arm-none-eabi-gcc), as Debian's gcc-arm-none-eabi
# ships it.
#
#     cmake -S samples/cortex-m3 -B build-cmake \
#           -DCMAKE_TOOLCHAIN_FILE=samples/cortex-m3/cmake/arm-none-eabi.cmake
#
# ARM_NONE_EABI_PREFIX picks another toolchain (default arm-none-eabi-, found
# on PATH). Target flags (-mcpu ...) belong to the project, not to this file.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(ARM_NONE_EABI_PREFIX "arm-none-eabi-" CACHE STRING "toolchain prefix")
set(CMAKE_C_COMPILER "${ARM_NONE_EABI_PREFIX}gcc")
set(CMAKE_ASM_COMPILER "${ARM_NONE_EABI_PREFIX}gcc")
set(CMAKE_OBJCOPY "${ARM_NONE_EABI_PREFIX}objcopy" CACHE FILEPATH "objcopy")

# no libc start files to link a test program with: check the compiler on a library
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# look for programs on the build machine, for everything else in the target's sysroot
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

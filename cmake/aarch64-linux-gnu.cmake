# Toolchain file: clang-22 cross-compiling for aarch64 Linux against
# Debian's cross sysroot (libc6-dev-arm64-cross, libstdc++-12-dev-arm64-cross
# in /usr/aarch64-linux-gnu), linked by lld.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
find_program(SLMC_CROSS_CC NAMES clang-22 PATHS /usr/lib/llvm-22/bin REQUIRED)
find_program(SLMC_CROSS_CXX NAMES clang++-22 PATHS /usr/lib/llvm-22/bin REQUIRED)
set(CMAKE_C_COMPILER ${SLMC_CROSS_CC})
set(CMAKE_CXX_COMPILER ${SLMC_CROSS_CXX})
set(CMAKE_C_COMPILER_TARGET aarch64-linux-gnu)
set(CMAKE_CXX_COMPILER_TARGET aarch64-linux-gnu)
set(CMAKE_EXE_LINKER_FLAGS_INIT -fuse-ld=lld)
set(CMAKE_SHARED_LINKER_FLAGS_INIT -fuse-ld=lld)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER) # flatc runs on the build host
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)  # flatbuffers is header-only, in /usr/include

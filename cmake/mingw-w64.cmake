# CMake toolchain: cross-compile for 64-bit Windows with Debian's
# mingw-w64 (gcc-mingw-w64-x86-64). Used by scripts/build-windows.sh for
# the static libraries and for casebrief itself.
#   cmake -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64.cmake -DCB_WIN_DEPS=PREFIX
# CB_WIN_DEPS: where the static libraries are installed; searched first.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CB_MINGW_HOST x86_64-w64-mingw32)

set(CMAKE_C_COMPILER ${CB_MINGW_HOST}-gcc)
set(CMAKE_RC_COMPILER ${CB_MINGW_HOST}-windres)
set(CMAKE_AR ${CB_MINGW_HOST}-ar CACHE FILEPATH "")
set(CMAKE_RANLIB ${CB_MINGW_HOST}-ranlib CACHE FILEPATH "")

# Passed on to try_compile() projects, which re-read this file.
set(CMAKE_TRY_COMPILE_PLATFORM_VARIABLES CB_WIN_DEPS)
set(CMAKE_FIND_ROOT_PATH ${CB_WIN_DEPS} /usr/${CB_MINGW_HOST})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

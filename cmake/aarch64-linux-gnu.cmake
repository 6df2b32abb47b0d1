# CMake toolchain file: build wowkiosk and wowdash for arm64 (aarch64) Debian 12
# on an amd64 Debian 12 host, with Debian's gcc-aarch64-linux-gnu.  Used by
# `make cross-arm64`; by hand:
#
#   sh scripts/install-cross-deps.sh build-arm64/sysroot
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DWOW_TESTS=OFF
#
# The arm64 libraries come from a sysroot (the arm64 -dev .debs and their
# dependencies unpacked by scripts/install-cross-deps.sh), not from multiarch
# `apt-get install libfoo-dev:arm64`, because on Debian 12 the latter does not
# co-install with the native build's packages:
#  - libpq-dev is not Multi-Arch: same (it ships pg_config), so installing
#    libpq-dev:arm64 removes the amd64 libpq-dev the native build needs;
#  - every Multi-Arch: same package must be at the same version on both
#    architectures, so installing the :arm64 ones upgrades amd64 libssl3,
#    libpq5, postgresql-15... as a side effect, and fails outright whenever the
#    mirror's two architectures are out of step.
# The sysroot needs no root, leaves the host's dpkg database alone, and is the
# same on any fresh Debian 12 machine.
#
# The sysroot is CMAKE_SYSROOT if given (-DCMAKE_SYSROOT=DIR), else
# $WOW_ARM64_SYSROOT, else build-arm64/sysroot in the source tree.  This file is
# read again inside every try_compile, where only CMAKE_SYSROOT is passed on,
# so the default must not depend on the build directory.

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
# The project is C only; Debian's g++-aarch64-linux-gnu would be the C++ one.
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

if(NOT CMAKE_SYSROOT)
  if(DEFINED ENV{WOW_ARM64_SYSROOT})
    set(CMAKE_SYSROOT "$ENV{WOW_ARM64_SYSROOT}")
  else()
    set(CMAKE_SYSROOT "${CMAKE_CURRENT_LIST_DIR}/../build-arm64/sysroot")
  endif()
endif()
get_filename_component(CMAKE_SYSROOT "${CMAKE_SYSROOT}" ABSOLUTE)
if(NOT EXISTS "${CMAKE_SYSROOT}/usr/include/stdio.h")
  message(FATAL_ERROR "aarch64-linux-gnu.cmake: ${CMAKE_SYSROOT}/usr/include/stdio.h: "
                      "expected an arm64 sysroot there; run "
                      "sh scripts/install-cross-deps.sh ${CMAKE_SYSROOT}")
endif()

# Libraries, headers and CMake packages only from the sysroot; programs (the
# host's pkg-config) only from the host.
set(CMAKE_FIND_ROOT_PATH "${CMAKE_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config reads only the arm64 .pc files and prefixes their -I and -L with
# the sysroot.  Environment set here lasts for the configure run, which is
# when pkg_check_modules calls pkg-config.
set(ENV{PKG_CONFIG_LIBDIR}
    "${CMAKE_SYSROOT}/usr/lib/aarch64-linux-gnu/pkgconfig:${CMAKE_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${CMAKE_SYSROOT}")
unset(ENV{PKG_CONFIG_PATH})

# The linker looks for the libraries that the linked libraries need
# (libSDL2 -> libasound...) here; the sysroot has no /etc/ld.so.conf to say so.
set(CMAKE_EXE_LINKER_FLAGS_INIT
    "-Wl,-rpath-link,${CMAKE_SYSROOT}/lib/aarch64-linux-gnu:${CMAKE_SYSROOT}/usr/lib/aarch64-linux-gnu")

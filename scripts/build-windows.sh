#!/usr/bin/env bash
# Cross-build casebrief.exe for Windows (x86_64, fully static) with
# mingw-w64 from Debian, and pack casebrief-<version>-win64.zip.
#
# Debian has no mingw builds of libarchive, expat, PCRE2, xz, bzip2 or
# zstd, so their Debian *source* packages are fetched (apt-get source
# through a private APT_CONFIG: the system's sources stay untouched) and
# built as static libraries into a cache outside the repository, keyed
# by the versions and the recipe below. A second run reuses the cache
# and only rebuilds casebrief (about a minute instead of ten).
#
#   scripts/build-windows.sh            # -> build-win/casebrief.exe + zip
# Environment:
#   CB_WIN_CACHE   cache root (default ~/.cache/casebrief-win)
#   CB_WIN_DEPS    the prefix of prebuilt libraries (default: the cache
#                  entry for the pinned versions); built when missing
#   CB_WIN_BUILD   casebrief's build directory (default build-win)
#   JOBS           parallel jobs (default nproc)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
host=x86_64-w64-mingw32
jobs=${JOBS:-$(nproc)}

# The Debian source versions. Pinned so the cache key and the binary
# are reproducible; README.md lists the security fixes newer Debian
# updates carry that these lack.
pins=(
    xz-utils=5.4.1-1+deb12u2
    libzstd=1.5.4+dfsg2-5
    bzip2=1.0.8-5
    expat=2.5.0-1+deb12u2
    pcre2=10.42-1
    libarchive=3.6.2-1+deb12u5
)
# Bump when a library's build recipe below changes: a new cache entry.
recipe=1

say() { printf 'build-windows: %s\n' "$*" >&2; }

# --- tools --------------------------------------------------------------
need_pkgs() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
            grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    say "installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
        --no-install-recommends "${missing[@]}" >&2
}
need_pkgs gcc-mingw-w64-x86-64 mingw-w64-tools libz-mingw-w64-dev \
    dpkg-dev cmake make zip

cache_root=${CB_WIN_CACHE:-$HOME/.cache/casebrief-win}
key=$( { printf '%s\n' "${pins[@]}" "recipe=$recipe";
         $host-gcc --version | head -1; } | sha256sum | cut -c1-16)
deps=${CB_WIN_DEPS:-$cache_root/$key}

# --- Debian sources -----------------------------------------------------
# A private APT tree: its own sources list (deb-src only), lists and
# cache. apt-get source then unpacks and patches with dpkg-source.
fetch_sources() {
    local apt=$1 src=$2
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" \
        "$apt/sources.list.d" "$src"
    cat > "$apt/sources.list" <<LIST
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-updates main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main
LIST
    cat > "$apt/apt.conf" <<CONF
Dir::Etc::sourcelist "$apt/sources.list";
Dir::Etc::sourceparts "$apt/sources.list.d";
Dir::State::Lists "$apt/lists";
Dir::Cache "$apt/cache";
Dir::State::status "/var/lib/dpkg/status";
APT::Sandbox::User "root";
Acquire::Languages "none";
CONF
    export APT_CONFIG=$apt/apt.conf
    apt-get update -qq
    (cd "$src" && apt-get source -qq "${pins[@]}" >&2) || {
        say "apt-get source failed; versions the archive offers:"
        local p
        for p in "${pins[@]}"; do
            apt-cache showsrc "${p%%=*}" 2>/dev/null |
                sed -n "s/^Version: /  ${p%%=*} /p" >&2
        done
        return 1
    }
    unset APT_CONFIG
}

# --- static libraries -----------------------------------------------------
# Each builds from its unpacked Debian source into $prefix; a stamp per
# library lets an interrupted run resume.
cross_env() {
    export CC=$host-gcc AR=$host-ar RANLIB=$host-ranlib
    export CFLAGS="-O2 -g0 -Werror=implicit-function-declaration"
}
cmake_configure() {  # SRC BUILD [cmake options...]
    local src=$1 b=$2
    shift 2
    cmake -S "$src" -B "$b" -G "Unix Makefiles" \
        -DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64.cmake" \
        -DCB_WIN_DEPS="$prefix" -DCMAKE_INSTALL_PREFIX="$prefix" \
        -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF "$@" > /dev/null
}
cmake_lib() {  # SRC BUILD [cmake options...]
    cmake_configure "$@"
    cmake --build "$2" -j"$jobs" > /dev/null
    cmake --install "$2" > /dev/null
}
build_xz_utils() {
    (cd "$1" && ./configure -q --host=$host --prefix="$prefix" \
        --disable-shared --enable-static --disable-xz --disable-xzdec \
        --disable-lzmadec --disable-lzmainfo --disable-lzma-links \
        --disable-scripts --disable-doc --disable-nls > /dev/null &&
        make -s -j"$jobs" -C src/liblzma > /dev/null &&
        make -s -C src/liblzma install > /dev/null)
}
build_libzstd() {
    make -s -j"$jobs" -C "$1/lib" libzstd.a CC="$CC" AR="$AR" \
        ZSTD_LEGACY_SUPPORT=0 > /dev/null
    install -m 644 "$1/lib/libzstd.a" "$prefix/lib/"
    install -m 644 "$1"/lib/{zstd.h,zstd_errors.h,zdict.h} "$prefix/include/"
}
build_bzip2() {
    # The library is seven files; its Makefile builds the tools too.
    local o f
    for f in blocksort huffman crctable randtable compress decompress bzlib; do
        $CC $CFLAGS -D_FILE_OFFSET_BITS=64 -DBZ_EXPORT -c "$1/$f.c" \
            -o "$1/$f.o"
        o+=" $1/$f.o"
    done
    # shellcheck disable=SC2086
    $AR rcs "$prefix/lib/libbz2.a" $o
    install -m 644 "$1/bzlib.h" "$prefix/include/"
}
build_expat() {
    # Debian's patches test "#if XML_DTD == 1" (its autotools build
    # defines it as 1); the CMake build's config header defines it empty.
    sed -i 's/^#cmakedefine XML_DTD$/#cmakedefine XML_DTD 1/' \
        "$1/expat/expat_config.h.cmake"
    cmake_lib "$1/expat" "$1/_b" \
        -DEXPAT_SHARED_LIBS=OFF -DEXPAT_BUILD_TOOLS=OFF \
        -DEXPAT_BUILD_EXAMPLES=OFF -DEXPAT_BUILD_TESTS=OFF \
        -DEXPAT_BUILD_DOCS=OFF -DEXPAT_BUILD_PKGCONFIG=ON
}
build_pcre2() {
    cmake_lib "$1" "$1/_b" -DPCRE2_SUPPORT_JIT=ON \
        -DPCRE2_BUILD_PCRE2GREP=OFF -DPCRE2_BUILD_TESTS=OFF \
        -DPCRE2_BUILD_PCRE2_8=ON -DPCRE2_BUILD_PCRE2_16=OFF \
        -DPCRE2_BUILD_PCRE2_32=OFF -DPCRE2_SUPPORT_LIBBZ2=OFF \
        -DPCRE2_SUPPORT_LIBZ=OFF -DPCRE2_SUPPORT_LIBEDIT=OFF \
        -DPCRE2_SUPPORT_LIBREADLINE=OFF
}
build_libarchive() {
    # zlib: Debian's static libz-mingw-w64-dev. ZLIB_WINAPI is a run
    # test (CMake 3.25 crashes on it when cross-compiling): Debian's zlib
    # is built without it, so its answer is given.
    local z=/usr/$host/lib/libz.a
    CFLAGS="$CFLAGS -DLZMA_API_STATIC -DXML_STATIC -DBZ_EXPORT" \
        cmake_configure "$1" "$1/_b" \
        -DENABLE_OPENSSL=OFF -DENABLE_LIBXML2=OFF -DENABLE_EXPAT=ON \
        -DENABLE_LZ4=OFF -DENABLE_LZO=OFF -DENABLE_LIBB2=OFF \
        -DENABLE_MBEDTLS=OFF -DENABLE_NETTLE=OFF -DENABLE_CNG=OFF \
        -DENABLE_ICONV=OFF -DENABLE_ACL=OFF -DENABLE_XATTR=OFF \
        -DENABLE_ZSTD=ON -DENABLE_LZMA=ON -DENABLE_BZip2=ON \
        -DENABLE_ZLIB=ON -DENABLE_PCREPOSIX=OFF -DENABLE_TAR=OFF \
        -DENABLE_CPIO=OFF -DENABLE_CAT=OFF -DENABLE_TEST=OFF \
        -DENABLE_WERROR=OFF -DENABLE_INSTALL=ON \
        -DZLIB_LIBRARY="$z" -DZLIB_WINAPI=OFF -DZLIB_WINAPI_WITH_LIB="$z"
    # Only the static library (its CMake builds the DLL too: twice the
    # time, and CMake would link the DLL's import library if installed).
    cmake --build "$1/_b" -j"$jobs" --target archive_static > /dev/null
    install -m 644 "$1/_b/libarchive/libarchive_static.a" \
        "$prefix/lib/libarchive.a"
    install -m 644 "$1"/libarchive/{archive.h,archive_entry.h} \
        "$prefix/include/"
    install -m 644 "$1/_b/build/pkgconfig/libarchive.pc" \
        "$prefix/lib/pkgconfig/"
}

# The .pc files of a static prefix: the private dependencies and the
# "static" defines become public, so pkg-config without --static gives
# the whole link line and the right declarations.
fix_pkgconfig() {
    local pc=$prefix/lib/pkgconfig
    sed -i -e '/^Requires.private:/d' \
        -e 's/^Libs: .*/& -lexpat -lzstd -llzma -lbz2 -lz/' \
        -e 's/^Cflags: .*/& -DLIBARCHIVE_STATIC/' "$pc/libarchive.pc"
    sed -i -e '/^Libs.private:/d' "$pc/libarchive.pc"
    sed -i -e 's/^Cflags: .*/& -DPCRE2_STATIC/' "$pc/libpcre2-8.pc"
    sed -i -e 's/^Cflags: .*/& -DXML_STATIC/' "$pc/expat.pc"
}

licence_of() {  # where each source package keeps its licence text
    case $1 in
    xz-utils) echo COPYING ;;
    libzstd) echo LICENSE ;;
    bzip2) echo LICENSE ;;
    expat) echo expat/COPYING ;;
    pcre2) echo LICENCE ;;
    libarchive) echo COPYING ;;
    esac
}

build_deps() {
    local work=$deps.work
    prefix=$deps
    mkdir -p "$prefix/lib" "$prefix/include" "$prefix/licences" "$work"
    [ -f "$work/fetched" ] || {
        rm -rf "$work/src"
        fetch_sources "$work/apt" "$work/src"
        touch "$work/fetched"
    }
    cross_env
    local p name dir
    for p in "${pins[@]}"; do
        name=${p%%=*}
        [ -f "$prefix/.stamp-$name" ] && continue
        dir=$(find "$work/src" -mindepth 1 -maxdepth 1 -type d \
            -name "$name-*" | head -1)
        say "building $name (${p#*=})"
        "build_${name//[-]/_}" "$dir"
        install -m 644 "$dir/$(licence_of "$name")" \
            "$prefix/licences/$name.txt"
        touch "$prefix/.stamp-$name"
    done
    install -m 644 /usr/share/doc/libz-mingw-w64-dev/copyright \
        "$prefix/licences/zlib.txt"
    fix_pkgconfig
    printf '%s\n' "${pins[@]}" > "$prefix/VERSIONS"
    touch "$prefix/.complete"
    rm -rf "$work"
}

# --- casebrief --------------------------------------------------------------
build_casebrief() {
    local b=${CB_WIN_BUILD:-$root/build-win}
    PKG_CONFIG_LIBDIR=$deps/lib/pkgconfig PKG_CONFIG_PATH= \
        cmake -S "$root" -B "$b" -G "Unix Makefiles" \
        -DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64.cmake" \
        -DCB_WIN_DEPS="$deps" -DCMAKE_BUILD_TYPE=Release \
        -DCB_TESTS=OFF -DCB_BENCH=OFF -DCB_WERROR=ON > /dev/null
    cmake --build "$b" -j"$jobs" --target casebrief
    pack_zip "$b"
}

pack_zip() {
    local b=$1 version name stage
    version=$(sed -n 's/^project(casebrief VERSION \([0-9.]*\).*/\1/p' \
        "$root/CMakeLists.txt")
    name=casebrief-$version-win64
    stage=$b/$name
    rm -rf "$stage" "$b/$name.zip"
    mkdir -p "$stage/rules" "$stage/licences"
    cp "$b/casebrief.exe" "$stage/"
    cp "$root"/rules/*.xml "$root/rules/README.md" "$stage/rules/"
    cp "$root/README.md" "$stage/"
    cp "$deps"/licences/*.txt "$stage/licences/"
    cp "$deps/VERSIONS" "$stage/licences/VERSIONS.txt"
    (cd "$b" && zip -qr -X "$name.zip" "$name")
    say "$b/$name.zip"
}

if [ ! -f "$deps/.complete" ]; then
    say "static libraries: building into $deps (about 10 minutes)"
    build_deps
else
    say "static libraries: reusing $deps"
fi
[ "${1:-}" = "--deps-only" ] && exit 0
build_casebrief

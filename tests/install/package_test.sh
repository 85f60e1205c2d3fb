#!/usr/bin/env bash
# test_package: `cpack -G DEB` makes a Debian package of the installation: its metadata (name,
# version, architecture, dependencies on the Debian runtime libraries) and its files (the program,
# libgibbs, every plugin, the SDK and the CMake package under /usr). It does not install the
# package: that would change the machine (README, "Installing", shows dpkg -i and dpkg -r).
# usage: package_test.sh CPACK BUILD_DIR
set -euo pipefail
cpack=$1 build=$2

work=$(mktemp -d "${TMPDIR:-/tmp}/gibbs-package-test.XXXXXX")
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

(cd "$build" && "$cpack" -G DEB -B "$work" >"$work/cpack.log" 2>&1) || {
  cat "$work/cpack.log" >&2
  fail "cpack -G DEB failed"
}
shopt -s nullglob
debs=("$work"/*.deb)
((${#debs[@]} == 1)) || fail "cpack made ${#debs[@]} .deb files, expected 1"
deb=${debs[0]}
version=$(sed -n 's/^CPACK_PACKAGE_VERSION:STRING=//p;s/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt" | head -n 1)
[[ -n $version ]] || fail "no project version in $build/CMakeCache.txt"
arch=$(dpkg --print-architecture)
[[ $(basename "$deb") == "gibbs_${version}_$arch.deb" ]] || fail "package file $(basename "$deb"), expected gibbs_${version}_$arch.deb"

field() { dpkg-deb -f "$deb" "$1"; }
[[ $(field Package) == gibbs ]] || fail "Package: $(field Package)"
[[ $(field Version) == "$version" ]] || fail "Version: $(field Version)"
[[ $(field Architecture) == "$arch" ]] || fail "Architecture: $(field Architecture)"
depends=$(field Depends)
# dpkg-shlibdeps's findings (the libraries gibbs links, each a Debian runtime package) and what
# gibbs loads at run time (LAPACK, PLplot's cairo driver).
tr ',' '\n' <<<"$depends" | awk '{ print $1 }' >"$work/depends"
for p in libc6 libstdc++6 libtbb12 libhdf5-103-1 libfmt9 libhwy1 libpng16-16 libplplot17 \
  libboost-program-options1.74.0 liblapack3 plplot-driver-cairo; do
  grep -qxF "$p" "$work/depends" || fail "Depends has no $p: $depends"
done

dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$work/files"
for f in /usr/bin/gibbs /usr/lib/libgibbs.so "/usr/lib/libgibbs.so.${version%.*}" "/usr/lib/libgibbs.so.$version" \
  /usr/lib/gibbs/plugins/libgibbs-rbm.so /usr/lib/gibbs/plugins/libgibbs-dbn.so /usr/lib/gibbs/plugins/libgibbs-mlp.so \
  /usr/lib/gibbs/plugins/libgibbs-cnn.so /usr/lib/gibbs/plugins/libgibbs-autoencoder.so \
  /usr/lib/gibbs/plugins/libgibbs-perceptron.so /usr/include/gibbs/modules/plugin/abi/gibbs_plugin.h \
  /usr/include/gibbs/modules/plugin/model.cppm /usr/lib/cmake/gibbs/gibbsConfig.cmake \
  /usr/lib/cmake/gibbs/gibbsConfigVersion.cmake /usr/lib/cmake/gibbs/gibbs_add_plugin.cmake; do
  grep -qxF "$f" "$work/files" || fail "the package has no $f"
done
if grep -E 'libgibbs-test|/tests?/' "$work/files"; then fail "the package holds test files"; fi
echo "package test passed: $(basename "$deb"), Depends: $depends"

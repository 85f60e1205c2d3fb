#!/usr/bin/env bash
# test_install: `cmake --install` into a temporary prefix, the prefix moved elsewhere, and from
# there gibbs --version, gibbs plugins (the installed folder, found with no environment) and a
# short training; then examples/plugin, copied out of the tree, configured against the moved
# prefix only, built, listed, trained, inspected and installed beside the others; plugins built
# for another ABI or with too small a descriptor are skipped with one line each.
# usage: install_test.sh CMAKE BUILD_DIR EXAMPLE_DIR CXX_COMPILER GENERATOR MAKE_PROGRAM TEST_PLUGINS_DIR
set -euo pipefail
cmake=$1 build=$2 example=$3 cxx=$4 generator=$5 make_program=$6 test_plugins=$7
source_root=$(cd "$example/../.." && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/gibbs-install-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
unset GIBBS_PLUGIN_PATH

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
# expect NAME ACTUAL EXPECTED: the two texts are equal.
expect() {
  [[ $2 == "$3" ]] || fail "$1: got
$2
expected
$3"
}
# The rows of `gibbs plugins`'s table (after its header, before the commands the plugins add).
plugin_rows() { sed '1d;/^$/,$d' "$@"; }
# run_ok NAME COMMAND...: COMMAND exits 0; its stdout is in $out, its stderr in $err.
run_ok() {
  local name=$1
  shift
  if ! "$@" >"$work/out" 2>"$work/err"; then
    cat "$work/out" "$work/err" >&2
    fail "$name exited with status $?"
  fi
  out=$(<"$work/out") err=$(<"$work/err")
}

run_ok "cmake --install" "$cmake" --install "$build" --prefix "$work/staged"
mv "$work/staged" "$work/moved"
prefix=$work/moved
gibbs=$prefix/bin/gibbs
version=$(sed -n 's/^project(gibbs VERSION \([0-9.]*\) .*/\1/p' "$source_root/CMakeLists.txt")

# The layout, and links that name nothing outside the prefix.
for f in bin/gibbs lib/libgibbs.so "lib/libgibbs.so.$version" include/gibbs/modules/plugin/abi/gibbs_plugin.h \
  include/gibbs/modules/plugin/descriptor.h include/gibbs/modules/plugin/model.cppm \
  lib/cmake/gibbs/gibbsConfig.cmake lib/cmake/gibbs/gibbsConfigVersion.cmake lib/cmake/gibbs/gibbs_add_plugin.cmake; do
  [[ -e $prefix/$f ]] || fail "no $f in the prefix"
done
soname=$(readelf -d "$prefix/lib/libgibbs.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
expect "libgibbs SONAME" "$soname" "libgibbs.so.${version%.*}"
expect "bin/gibbs RUNPATH" "$(readelf -d "$gibbs" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p')" '$ORIGIN/../lib'
expect "plugin RUNPATH" "$(readelf -d "$prefix/lib/gibbs/plugins/libgibbs-rbm.so" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p')" \
  '$ORIGIN/../..'
if grep -rl --binary-files=text -e "$work/staged" -e "$build" "$prefix" >"$work/leaks"; then
  fail "files of the prefix name the build tree or the first prefix: $(tr '\n' ' ' <"$work/leaks")"
fi

run_ok "gibbs --version" "$gibbs" --version
expect "gibbs --version" "$out" "gibbs $version"

# Every installed plugin, from the installed folder, with no --plugin-path and no GIBBS_PLUGIN_PATH.
run_ok "gibbs plugins" "$gibbs" plugins
expect "gibbs plugins: stderr" "$err" ""
installed=$(plugin_rows <<<"$out" | awk '{ print $1, $3 }')
expected=""
for p in autoencoder cnn dbn mlp perceptron rbm; do
  expected+="$p $prefix/lib/gibbs/plugins/libgibbs-$p.so"$'\n'
done
expect "gibbs plugins: name and file" "$installed" "${expected%$'\n'}"

# A short training from the moved prefix.
run_ok "data synth" "$gibbs" data synth logic --op xor --inputs 2 --encoding 01 --joint --repeat 16 -o xor.h5
run_ok "train rbm" "$gibbs" --threads 1 train --model rbm --data xor.h5 --hidden 4 --epochs 2 --seed 1 -o rbm.h5
run_ok "inspect rbm" "$gibbs" inspect rbm.h5
# has_lines NAME TEXT REGEX...: every extended regular expression matches a whole line of TEXT.
has_lines() {
  local name=$1 text=$2
  shift 2
  for re in "$@"; do
    grep -qxE -- "$re" <<<"$text" || fail "$name has no line matching '$re':
$text"
  done
}
has_lines "inspect rbm.h5" "$out" " +model +rbm" " +W +\[3, 4\] .*"

# The example plugin, out of the tree: a copy of its folder, configured with the moved prefix only.
cp -r "$example" "$work/logreg-src"
run_ok "configure examples/plugin" "$cmake" -S "$work/logreg-src" -B "$work/logreg-build" -G "$generator" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_MAKE_PROGRAM="$make_program" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix"
run_ok "build examples/plugin" "$cmake" --build "$work/logreg-build"
[[ -f $work/logreg-build/libgibbs-logreg.so ]] || fail "no libgibbs-logreg.so"
# (Only the CMake running it may lie in the source tree: tools/bootstrap installs it into .deps.)
cmake_home=$(cd "$(dirname "$cmake")/.." && pwd)
if grep -rh --binary-files=text -e "$source_root" "$work/logreg-build" | sed -E "s|$cmake_home(/[^ ;\"]*)?||g" |
  grep -e "$source_root" >"$work/leaks"; then
  fail "the example's build names gibbs's source or build tree: $(head -c 2000 "$work/leaks")"
fi

run_ok "gibbs plugins --plugin-path" "$gibbs" --plugin-path "$work/logreg-build" plugins
grep -q "^logreg  *1\.0\.0  *$work/logreg-build/libgibbs-logreg.so  " <<<"$out" || fail "logreg is not listed:
$out"
grep -q "^rbm  .*$prefix/lib/gibbs/plugins/libgibbs-rbm.so  " <<<"$out" || fail "rbm is not listed:
$out"

# OR is linearly separable: logistic regression learns it.
run_ok "data synth or" "$gibbs" data synth logic --op or --inputs 2 --encoding 01 --repeat 16 -o or.h5
run_ok "train logreg" "$gibbs" --threads 1 --plugin-path "$work/logreg-build" train --model logreg --data or.h5 \
  --lr 0.5 --epochs 20 --seed 1 -o logreg.h5
run_ok "inspect logreg" "$gibbs" --plugin-path "$work/logreg-build" inspect logreg.h5
has_lines "inspect logreg.h5" "$out" " +model +logreg" " +plugin_version +1\.0\.0" " +lr +0\.5 +\(default 0\.1\)" \
  " +l2 +0 +\(default\)" " +W +\[2, 2\] .*" " +b +\[2\] .*" " +loss +20 .*" " +accuracy +20 +[0-9.]+ +1"
run_ok "eval logreg" "$gibbs" --plugin-path "$work/logreg-build" eval logreg.h5 --data or.h5

# Installed into the prefix, the plugin is found with no --plugin-path.
run_ok "install examples/plugin" "$cmake" --install "$work/logreg-build" --prefix "$prefix"
run_ok "gibbs plugins (logreg installed)" "$gibbs" plugins
grep -q "^logreg  .*$prefix/lib/gibbs/plugins/libgibbs-logreg.so  " <<<"$out" || fail "installed logreg is not listed:
$out"

# Bad input: a plugin built for a newer ABI and one whose struct_size is smaller than the fields
# it claims are skipped with one line each, naming the file and the version; the rest still load.
mkdir bad
cp "$test_plugins/libgibbs-testabi2.so" "$test_plugins/libgibbs-testsmall.so" bad/
"$gibbs" --plugin-path "$work/bad" plugins >"$work/out" 2>"$work/err" || fail "gibbs plugins with bad plugins: status $?"
expect "gibbs plugins with bad plugins: stderr" "$(<"$work/err")" \
  "gibbs: $work/bad/libgibbs-testabi2.so: built for plugin ABI version 2, newer than this gibbs's 1: rebuild it against this gibbs, or install a newer gibbs
gibbs: $work/bad/libgibbs-testsmall.so: descriptor struct_size 16 is smaller than the 64 bytes of plugin ABI version 1's fields"
expect "gibbs plugins with bad plugins: plugins" "$(plugin_rows "$work/out" | awk '{ print $1 }' | tr '\n' ' ')" \
  "autoencoder cnn dbn logreg mlp perceptron rbm "
echo "install test passed"

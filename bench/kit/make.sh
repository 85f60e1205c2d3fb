#!/usr/bin/env bash
# Packs gibbs for a machine that cannot install packages (the lent 16-core machine of issue 12): the
# release build installed, every shared library it and the GEMM peers it loads need (their RUNPATHs
# set to find each other, so no LD_LIBRARY_PATH reaches a Python peer), data/mnist.h5, the peer
# scripts and run.sh, into .device/kit.tar.xz (git-ignored; under the device tool's 64 MiB).
# usage: bench/kit/make.sh   (after tools/fetch-data and a release build)
# there: tar -C /tmp -xJf .device/kit.tar.xz && bash /tmp/kit/run.sh scaling   (run.sh says the parts)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
export PATH="$root/.deps/cmake/bin:$PATH"
command -v patchelf >/dev/null || apt-get install -y -q patchelf >/dev/null
for need in build/release/bin/gibbs data/mnist.h5; do
  [[ -e $need ]] || { echo "make.sh: no $need (build the release preset, run tools/fetch-data)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
kit=$work/kit
cmake --install build/release --prefix "$kit" >/dev/null
rm -rf "$kit/include" "$kit/lib/cmake"
mkdir -p "$kit/data" "$kit/peers"
cp data/mnist.h5 "$kit/data/"
cp bench/peers/*.py "$kit/peers/"
cp bench/kit/run.sh "$kit/"

# The GEMM peers gibbs opens itself (bench/peers.cpp); then every library any of them needs but the
# C library's own, which the machine there has, newer.
multiarch=/usr/lib/x86_64-linux-gnu
peers=("$multiarch/libdnnl.so.2" "$multiarch/openblas-pthread/libopenblas.so.0")
cp -L "${peers[@]}" "$kit/lib/"
system='^(libc|libm|libdl|libpthread|librt|libresolv|ld-linux-x86-64)\.so'
for object in "$kit/bin/gibbs" "$kit"/lib/*.so* "$kit"/lib/gibbs/plugins/*.so; do
  ldd "$object" | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}'
done | sort -u | while read -r name path; do
  [[ $name =~ $system || -e $kit/lib/$name ]] || cp -L "$path" "$kit/lib/$name"
done
for library in "$kit"/lib/*.so*; do
  [[ -L $library ]] || patchelf --set-rpath '$ORIGIN' "$library"
done
patchelf --set-rpath '$ORIGIN/../lib' "$kit/bin/gibbs"
for plugin in "$kit"/lib/gibbs/plugins/*.so; do patchelf --set-rpath '$ORIGIN/../..' "$plugin"; done
strip --strip-unneeded "$kit/bin/gibbs" "$kit"/lib/*.so* "$kit"/lib/gibbs/plugins/*.so 2>/dev/null || true

# Every library resolves inside the kit or to the C library's own.
for object in "$kit/bin/gibbs" "$kit"/lib/*.so* "$kit"/lib/gibbs/plugins/*.so; do
  env -i ldd "$object" | awk -v kit="$kit" -v own="$system" \
    '$2 == "=>" && !($1 ~ own) && index($3, kit) != 1 {print; bad = 1} END {exit bad}' ||
    { echo "make.sh: $object needs a library from outside the kit" >&2; exit 1; }
done
mkdir -p .device
XZ_OPT=-T0 tar -C "$work" -cJf .device/kit.tar.xz kit
echo "make.sh: .device/kit.tar.xz, $(du -h .device/kit.tar.xz | cut -f1)"

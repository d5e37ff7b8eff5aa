#!/bin/sh
# Writes a copy of OpenSSL's libcrypto.a whose x86_64cpuid.o no longer adds
# a call of OPENSSL_cpuid_setup() to the program's _init, which a static link
# runs before main(). That call probes the CPU with 6 `cpuid` (each one traps
# to the hypervisor on a VM) and reads OPENSSL_ia32cap from the environment,
# in every process, though the binary links only SHA-1 from the archive
# (parser/hash.cc, which now calls OPENSSL_cpuid_setup() itself before its
# first hash so that SHA-1 keeps its SHA-NI/AVX2 code) and CRYPTO_memcmp.
# docs/performance.md, start-up round 7.
#
# Usage: lazy_openssl_cpuid.sh SOURCE.a OUTPUT.a. Exits non-zero, writing
# nothing, unless the member's .init is exactly one call of
# OPENSSL_cpuid_setup; CMake then links the archive unchanged.
set -eu
src=$1
out=$2
member=libcrypto-lib-x86_64cpuid.o
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
ar x "$src" "$member"
[ -f "$member" ] || { echo "lazy_openssl_cpuid: no $member in $src" >&2; exit 1; }

# .init is 5 bytes, `call OPENSSL_cpuid_setup` (e8 and its one relocation).
size=$(readelf -SW "$member" | sed 's/^ *\[ *[0-9]*\] //' | awk '$1 == ".init" {print $5}')
[ "$size" = "000005" ] || { echo "lazy_openssl_cpuid: .init of $member is not one call ($size)" >&2; exit 1; }
relocs=$(readelf -rW "$member" | awk '/^Relocation section .\.rela\.init. / {on=1; next}
  /^Relocation section/ {on=0} on && /R_X86_64/ {print $1, $3, $5}')
[ "$relocs" = "0000000000000001 R_X86_64_PLT32 OPENSSL_cpuid_setup" ] ||
  { echo "lazy_openssl_cpuid: unexpected .init relocations: $relocs" >&2; exit 1; }
objdump -d -j .init "$member" | grep -qE '^ +0:\s+e8 00 00 00 00\s+call' ||
  { echo "lazy_openssl_cpuid: .init is not a call" >&2; exit 1; }

objcopy --remove-section=.init --remove-section=.rela.init "$member" lazy.o
readelf -SW lazy.o | grep -q '\.init' && { echo "lazy_openssl_cpuid: .init left" >&2; exit 1; }

mv lazy.o "$member"
cp "$src" archive.a
ar r archive.a "$member"
mkdir -p "$(dirname "$out")"
mv archive.a "$out"

#!/bin/sh
# Writes a copy of a static archive in which one member's constructor (a
# function that a static link runs before main()) is no longer a constructor
# but a global function, pb_CTOR, that the program calls when it first needs
# the library. Used for GLib's glib_init_ctor (glib-init.c: message and debug
# flags from the environment, the quark table) and GObject's
# gobject_init_ctor (gtype.c: the type system), which
# src/mail/gmime_init.cc calls before g_mime_init(). Together they were over
# half the instructions, and a dozen page faults, of every process that never
# parses a mail (`patchbay help`, the web and API paths of `serve` before
# their first mail): docs/performance.md, start-up rounds 6 and 7.
#
# Usage: lazy_constructor.sh SOURCE.a OUTPUT.a MEMBER CTOR. Exits non-zero,
# writing nothing, unless MEMBER has exactly one constructor and it is the
# local function CTOR at the start of .text.startup; CMake then links the
# archive unchanged.
set -eu
src=$1
out=$2
member=$3
ctor=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
ar x "$src" "$member"
[ -f "$member" ] || { echo "lazy_constructor: no $member in $src" >&2; exit 1; }

# One relocation in .rela.init_array, pointing at .text.startup + 0 ...
relocs=$(readelf -rW "$member" | awk '/^Relocation section .\.rela\.init_array/ {on=1; next}
  /^Relocation section/ {on=0} on && /R_X86_64_64/ {print $5, $6, $7}')
[ "$relocs" = ".text.startup + 0" ] || { echo "lazy_constructor: unexpected constructors in $member: $relocs" >&2; exit 1; }
# ... which is where the local CTOR starts.
startup=$(readelf -SW "$member" | sed -n 's/^ *\[ *\([0-9]*\)\] \.text\.startup .*/\1/p')
found=$(readelf -sW "$member" | awk -v f="$ctor" '$8 == f {print $2, $4, $5, $7}')
[ -n "$startup" ] && [ "$found" = "0000000000000000 FUNC LOCAL $startup" ] ||
  { echo "lazy_constructor: $ctor is not .text.startup + 0 ($found; section $startup)" >&2; exit 1; }

objcopy --remove-section=.init_array --remove-section=.rela.init_array \
  --redefine-sym "$ctor=pb_$ctor" \
  --globalize-symbol="pb_$ctor" "$member" lazy.o
readelf -SW lazy.o | grep -q init_array && { echo "lazy_constructor: .init_array left in $member" >&2; exit 1; }
nm lazy.o | grep -q " T pb_$ctor\$" || { echo "lazy_constructor: no global pb_$ctor" >&2; exit 1; }

mv lazy.o "$member"
cp "$src" archive.a
ar r archive.a "$member"
mkdir -p "$(dirname "$out")"
mv archive.a "$out"

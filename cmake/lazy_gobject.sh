#!/bin/sh
# Writes a copy of GLib's libgobject-2.0.a in which the type system's
# constructor (gtype.c's gobject_init_ctor, run before main() in a static
# link) is no longer a constructor but a global function,
# pb_gobject_init_ctor, that src/mail/gmime_init.cc calls before
# g_mime_init(). It is 46 % of the instructions of every process that never
# parses a mail (`patchbay help`, the web and API paths of `serve` before
# their first mail).
#
# Usage: lazy_gobject.sh SOURCE.a OUTPUT.a. Exits non-zero, writing nothing,
# unless gtype.c.o has exactly one constructor and it is gobject_init_ctor
# at the start of .text.startup; CMake then links the archive unchanged.
set -eu
src=$1
out=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
ar x "$src" gtype.c.o
[ -f gtype.c.o ] || { echo "lazy_gobject: no gtype.c.o in $src" >&2; exit 1; }

# One relocation in .rela.init_array, pointing at .text.startup + 0 ...
relocs=$(readelf -rW gtype.c.o | awk '/^Relocation section .\.rela\.init_array/ {on=1; next}
  /^Relocation section/ {on=0} on && /R_X86_64_64/ {print $5, $6, $7}')
[ "$relocs" = ".text.startup + 0" ] || { echo "lazy_gobject: unexpected constructors: $relocs" >&2; exit 1; }
# ... which is where the local gobject_init_ctor starts.
startup=$(readelf -SW gtype.c.o | sed -n 's/^ *\[ *\([0-9]*\)\] \.text\.startup .*/\1/p')
ctor=$(readelf -sW gtype.c.o | awk '$8 == "gobject_init_ctor" {print $2, $4, $5, $7}')
[ -n "$startup" ] && [ "$ctor" = "0000000000000000 FUNC LOCAL $startup" ] ||
  { echo "lazy_gobject: gobject_init_ctor is not .text.startup + 0 ($ctor; section $startup)" >&2; exit 1; }

objcopy --remove-section=.init_array --remove-section=.rela.init_array \
  --redefine-sym gobject_init_ctor=pb_gobject_init_ctor \
  --globalize-symbol=pb_gobject_init_ctor gtype.c.o gtype.lazy.o
readelf -SW gtype.lazy.o | grep -q init_array && { echo "lazy_gobject: .init_array left" >&2; exit 1; }
nm gtype.lazy.o | grep -q ' T pb_gobject_init_ctor$' || { echo "lazy_gobject: no global pb_gobject_init_ctor" >&2; exit 1; }

mv gtype.lazy.o gtype.c.o
cp "$src" archive.a
ar r archive.a gtype.c.o
mkdir -p "$(dirname "$out")"
mv archive.a "$out"

#!/usr/bin/env python3
"""Leaves the dynamic loader only the first relative relocations of a PIE.

Usage: late_relocation.py BINARY (run after the link; rewrites BINARY in place).

The loader applies the binary's relative relocations (DT_RELR) before any of
its code runs, one copy-on-write page fault per page they land on. This
shrinks DT_RELRSZ to the table's first address entry and its first bitmap
(64 words from the lowest relocated address: the preinit array, which the
loader reads to call src/cli/late_relocation.cc) and writes into the file's
pb_late_relr where the whole table is, so that the program applies the rest
itself after making the pages present in a few calls (docs/performance.md,
start-up round 7).

Changes nothing, and says why, unless the binary is as expected: an x86-64
PIE with DT_RELR whose first entries are an address and a bitmap covering its
whole preinit array, and a pb_late_relr of three zero words.
tests/cli/late_relocation_test.py reads binaries with the same class.
"""
import struct
import sys

DT_NULL, DT_RELRSZ, DT_RELR, DT_PREINIT_ARRAY, DT_PREINIT_ARRAYSZ = 0, 35, 36, 32, 33
PT_GNU_RELRO = 0x6474E552
LOADER_BYTES = 16  # one address entry and one bitmap entry


class Elf:
    """The parts of an x86-64 ELF executable this needs, read from its file."""

    def __init__(self, path):
        with open(path, "rb") as f:
            self.data = bytearray(f.read())
        d = self.data
        if d[:4] != b"\x7fELF" or d[4] != 2 or d[5] != 1:
            raise ValueError("not a little-endian ELF64 file")
        e_type, e_machine = struct.unpack_from("<HH", d, 16)
        if e_type != 3 or e_machine != 62:
            raise ValueError("not an x86-64 position-independent executable")
        e_phoff, e_shoff = struct.unpack_from("<QQ", d, 32)
        e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx = struct.unpack_from("<HHHHH", d, 54)
        self.phdrs = [struct.unpack_from("<IIQQQQQQ", d, e_phoff + i * e_phentsize) for i in range(e_phnum)]
        self.sections = [struct.unpack_from("<IIQQQQIIQQ", d, e_shoff + i * e_shentsize)
                         for i in range(e_shnum)]
        shstr = self.sections[e_shstrndx][4]
        self.names = [d[shstr + s[0]:d.index(b"\0", shstr + s[0])].decode() for s in self.sections]
        self.dynamic, self.dynamic_at = {}, {}
        dyn = self.section(".dynamic")
        if dyn is None:
            raise ValueError("no .dynamic")
        for at in range(dyn[4], dyn[4] + dyn[5], 16):
            tag, val = struct.unpack_from("<qQ", d, at)
            if tag == DT_NULL:
                break
            self.dynamic[tag], self.dynamic_at[tag] = val, at

    def section(self, name):
        return next((s for s, n in zip(self.sections, self.names) if n == name), None)

    def file_offset(self, vaddr, length):
        for s in self.sections:
            if s[1] != 8 and s[3] and s[3] <= vaddr and vaddr + length <= s[3] + s[5]:  # not NOBITS
                return s[4] + vaddr - s[3]
        return None

    def symbol(self, name):
        """(address, size) of a symbol of .symtab, or None."""
        symtab = next((s for s in self.sections if s[1] == 2), None)
        if symtab is None:
            return None
        strtab = self.sections[symtab[6]][4]
        want = name.encode() + b"\0"
        for at in range(symtab[4], symtab[4] + symtab[5], 24):
            st_name, _, _, _, value, size = struct.unpack_from("<IBBHQQ", self.data, at)
            if self.data[strtab + st_name:strtab + st_name + len(want)] == want:
                return value, size
        return None

    def late_relr(self):
        """pb_late_relr's three words: table address, its size, the loader's part."""
        at, size = self.symbol("pb_late_relr")
        return struct.unpack_from("<QQQ", self.data, self.file_offset(at, 24))

    def relro(self):
        """The link-time [start, end) of PT_GNU_RELRO."""
        p = next(p for p in self.phdrs if p[0] == PT_GNU_RELRO)
        return p[3], p[3] + p[6]


def prepare(path):
    """Returns None when done, else why the binary was left as it is."""
    try:
        elf = Elf(path)
    except ValueError as e:
        return str(e)
    if DT_RELR not in elf.dynamic or DT_RELRSZ not in elf.dynamic:
        return "no DT_RELR table"
    relr, relrsz = elf.dynamic[DT_RELR], elf.dynamic[DT_RELRSZ]
    if relrsz <= LOADER_BYTES:
        return f"DT_RELRSZ is {relrsz}: nothing to leave to the program"
    first, second = struct.unpack_from("<QQ", elf.data, elf.file_offset(relr, relrsz))
    if first & 1 or not second & 1:
        return "the table does not start with an address and a bitmap"
    covered = range(first, first + 64 * 8)
    pre, pre_size = elf.dynamic.get(DT_PREINIT_ARRAY), elf.dynamic.get(DT_PREINIT_ARRAYSZ, 0)
    if pre is None or pre_size == 0:
        return "no preinit array: nothing would apply the rest"
    if pre not in covered or pre + pre_size - 8 not in covered:
        return "the preinit array is not within the loader's first 64 words"
    target = elf.symbol("pb_late_relr")
    if not target or target[1] != 24:
        return "no 24-byte pb_late_relr"
    target_off = elf.file_offset(target[0], 24)
    if target_off is None or any(elf.data[target_off:target_off + 24]):
        return "pb_late_relr is not three zero words in the file"
    struct.pack_into("<QQQ", elf.data, target_off, relr, relrsz, LOADER_BYTES)
    struct.pack_into("<qQ", elf.data, elf.dynamic_at[DT_RELRSZ], DT_RELRSZ, LOADER_BYTES)
    with open(path, "r+b") as f:
        f.write(elf.data)
    return None


if __name__ == "__main__":
    why = prepare(sys.argv[1])
    if why:
        # The loader keeps the whole table; the program then applies nothing.
        print(f"late_relocation: {sys.argv[1]} left as linked: {why}")

// gpgme, libidn2, libmount, libselinux, libcrypto and libm, loaded on their
// first call.
//
// GMime and GIO are linked from their static archives, and they call into
// four libraries that stay shared objects (Debian has no archive of gpgme,
// libassuan, libmount or libunistring, which libidn2 needs): gpgme (GMime's
// PGP/S/MIME contexts), libidn2 (GMime, for punycode domains), libmount and
// libselinux (GIO's mount table and file attributes). Linked normally, those
// four bring five more (libassuan, libgpg-error, libunistring, libblkid,
// libpcre2-8), and every process, `patchbay help` and each `parsemail`
// of the MTA pipe included, paid for mapping and relocating the nine of them
// and for their constructors (libselinux looks for selinuxfs), although
// patchbay never verifies a signature or lists mounts, and a mail rarely has
// a punycode address (docs/performance.md §0b).
//
// OpenSSL's libcrypto has an archive, but its EVP layer drags in the
// providers with their algorithm and error-string tables: 340 KB of pointers
// that the loader relocated, page by page, in every process, for the few
// commands that hash a password, sign a webhook or make a session. Those
// calls are deferred in the same way to libcrypto.so.3. SHA1_Init/Update/
// Final, which every stored patch needs (parser/hash.cc), and CRYPTO_memcmp
// stay linked from the archive: they need none of those tables.
//
// libm is needed for SQLite's SQL math functions (pow(), acos(), ...), whose
// table takes their addresses, and for little else: no query of patchbay
// calls them. Linked, it is one more library to open, map and relocate in
// every process, 9 page faults of the ~165 of `patchbay help` (a fault costs
// 15-40 us on this kind of VM; docs/performance.md §0b, round 5). Its
// archive cannot be linked into a program on the shared libc (its ifunc
// resolvers read the static libc's CPU table).
//
// So the binary is not linked against them. Each function the archives call
// is defined here as a short jump through a slot; the first call of
// any function of a library dlopen()s it, fills all its slots with dlsym()
// and jumps on. The jump does not touch the argument registers, so it needs
// no knowledge of the function's signature. x86-64 only; CMake links the
// libraries normally elsewhere (and when PATCHBAY_STATIC_DEPS is off).
#include <dlfcn.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <mutex>

#if !defined(__x86_64__)
#error "deferred_libraries.cc is x86-64 assembly; configure with -DPATCHBAY_STATIC_DEPS=OFF"
#endif

// The functions of each library that the static GMime/GIO archives call
// (`nm --undefined-only` of the binary when it was linked against them).
#define PB_GPGME_FUNCTIONS(X)                                                           \
  X(gpgme, 0, gpgme_data_new_from_cbs) X(gpgme, 1, gpgme_data_release)                  \
  X(gpgme, 2, gpgme_engine_check_version) X(gpgme, 3, gpgme_get_key)                    \
  X(gpgme, 4, gpgme_get_keylist_mode) X(gpgme, 5, gpgme_get_protocol)                   \
  X(gpgme, 6, gpgme_key_unref) X(gpgme, 7, gpgme_new) X(gpgme, 8, gpgme_op_decrypt)     \
  X(gpgme, 9, gpgme_op_decrypt_result) X(gpgme, 10, gpgme_op_decrypt_verify)            \
  X(gpgme, 11, gpgme_op_encrypt) X(gpgme, 12, gpgme_op_encrypt_sign)                    \
  X(gpgme, 13, gpgme_op_export_ext) X(gpgme, 14, gpgme_op_import)                       \
  X(gpgme, 15, gpgme_op_import_result) X(gpgme, 16, gpgme_op_keylist_end)               \
  X(gpgme, 17, gpgme_op_keylist_next) X(gpgme, 18, gpgme_op_keylist_start)              \
  X(gpgme, 19, gpgme_op_sign) X(gpgme, 20, gpgme_op_sign_result)                        \
  X(gpgme, 21, gpgme_op_verify) X(gpgme, 22, gpgme_op_verify_result)                    \
  X(gpgme, 23, gpgme_release) X(gpgme, 24, gpgme_set_armor)                             \
  X(gpgme, 25, gpgme_set_ctx_flag) X(gpgme, 26, gpgme_set_keylist_mode)                 \
  X(gpgme, 27, gpgme_set_offline) X(gpgme, 28, gpgme_set_passphrase_cb)                 \
  X(gpgme, 29, gpgme_set_protocol) X(gpgme, 30, gpgme_set_textmode)                     \
  X(gpgme, 31, gpgme_signers_add) X(gpgme, 32, gpgme_signers_clear)                     \
  X(gpgme, 33, gpgme_strerror)
#define PB_IDN2_FUNCTIONS(X) \
  X(idn2, 0, idn2_free) X(idn2, 1, idn2_to_ascii_8z) X(idn2, 2, idn2_to_unicode_8z8z)
#define PB_MOUNT_FUNCTIONS(X)                                                             \
  X(mount, 0, mnt_free_iter) X(mount, 1, mnt_free_table) X(mount, 2, mnt_fs_get_fstype)   \
  X(mount, 3, mnt_fs_get_options) X(mount, 4, mnt_fs_get_root)                            \
  X(mount, 5, mnt_fs_get_source) X(mount, 6, mnt_fs_get_target)                           \
  X(mount, 7, mnt_fs_strdup_options) X(mount, 8, mnt_get_builtin_optmap)                  \
  X(mount, 9, mnt_get_fstab_path) X(mount, 10, mnt_has_regular_mtab)                      \
  X(mount, 11, mnt_new_iter) X(mount, 12, mnt_new_table) X(mount, 13, mnt_optstr_get_flags) \
  X(mount, 14, mnt_table_next_fs) X(mount, 15, mnt_table_parse_fstab)                     \
  X(mount, 16, mnt_table_parse_mtab)
#define PB_SELINUX_FUNCTIONS(X)                                                           \
  X(selinux, 0, fgetfilecon_raw) X(selinux, 1, freecon) X(selinux, 2, getfilecon_raw)     \
  X(selinux, 3, is_selinux_enabled) X(selinux, 4, lgetfilecon_raw)                        \
  X(selinux, 5, setfilecon_raw)

#define PB_CRYPTO_FUNCTIONS(X)                                                          \
  X(crypto, 0, EVP_Digest) X(crypto, 1, EVP_DigestFinal_ex) X(crypto, 2, EVP_DigestInit_ex) \
  X(crypto, 3, EVP_DigestUpdate) X(crypto, 4, EVP_MD_CTX_free) X(crypto, 5, EVP_MD_CTX_new) \
  X(crypto, 6, EVP_sha1) X(crypto, 7, EVP_sha256) X(crypto, 8, EVP_EncodeBlock)          \
  X(crypto, 9, EVP_DecodeBlock) X(crypto, 10, HMAC) X(crypto, 11, PKCS5_PBKDF2_HMAC)      \
  X(crypto, 12, RAND_bytes)

// The functions of libm that the binary calls (`nm -D --undefined-only`
// against libm.so.6's symbols when it was linked against it): SQLite's math
// functions, and the rounding-mode pair.
#define PB_M_FUNCTIONS(X)                                                                \
  X(m, 0, acos) X(m, 1, acosh) X(m, 2, asin) X(m, 3, asinh) X(m, 4, atan) X(m, 5, atan2)  \
  X(m, 6, atanh) X(m, 7, cos) X(m, 8, cosh) X(m, 9, exp) X(m, 10, fegetround)            \
  X(m, 11, fesetround) X(m, 12, fmod) X(m, 13, log) X(m, 14, pow) X(m, 15, sin)          \
  X(m, 16, sinh) X(m, 17, sqrt) X(m, 18, tan) X(m, 19, tanh) X(m, 20, trunc)

#define PB_COUNT_(lib, index, name) +1
#define PB_NAME_(lib, index, name) #name,

namespace pb {

struct DeferredLibrary {
  const char* soname;
  const char* const* names;
  void** slots;  // the jump targets of the functions, in the order of `names`
  std::size_t count;
  void (*after_load)(void* library);
  std::once_flag once;
};

}  // namespace pb

namespace {

using pb::DeferredLibrary;

[[noreturn]] void Fail(const char* soname, const char* what) {
  std::fprintf(stderr, "patchbay: cannot load %s: %s\n", soname, what);
  std::abort();
}

// gpgme must be initialized by gpgme_check_version() before any other call.
// GMime calls it from g_mime_init() with no required version, ignoring the
// result, and calls nothing else of gpgme unless a signed or encrypted part
// is verified, decrypted or created, which patchbay never does. So that call
// is deferred: the real one runs first thing when the library is loaded.
using CheckVersion = const char* (*)(const char*, std::size_t);
CheckVersion gpgme_check = nullptr;
// GMime passes the layout of gpgme's signature struct it was built with.
std::size_t gpgme_validity_offset = 0;

void InitializeGpgme(void* library) {
  gpgme_check = reinterpret_cast<CheckVersion>(dlsym(library, "gpgme_check_version_internal"));
  if (!gpgme_check) Fail("libgpgme.so.11", dlerror());
  gpgme_check(nullptr, gpgme_validity_offset);
}

void Load(DeferredLibrary& lib) {
  void* handle = dlopen(lib.soname, RTLD_NOW | RTLD_LOCAL);
  if (!handle) Fail(lib.soname, dlerror());
  if (lib.after_load) lib.after_load(handle);
  for (std::size_t i = 0; i < lib.count; ++i) {
    void* fn = dlsym(handle, lib.names[i]);
    if (!fn) Fail(lib.soname, dlerror());
    __atomic_store_n(&lib.slots[i], fn, __ATOMIC_RELEASE);
  }
}

constexpr const char* kGpgmeNames[] = {PB_GPGME_FUNCTIONS(PB_NAME_)};
constexpr const char* kIdn2Names[] = {PB_IDN2_FUNCTIONS(PB_NAME_)};
constexpr const char* kMountNames[] = {PB_MOUNT_FUNCTIONS(PB_NAME_)};
constexpr const char* kSelinuxNames[] = {PB_SELINUX_FUNCTIONS(PB_NAME_)};
constexpr const char* kCryptoNames[] = {PB_CRYPTO_FUNCTIONS(PB_NAME_)};
constexpr const char* kMNames[] = {PB_M_FUNCTIONS(PB_NAME_)};

}  // namespace

extern "C" {

// Read by the assembly below. Hidden, and so are the jumps: a loaded
// library's calls to its own functions must never bind to them.
#define PB_HIDDEN_ __attribute__((visibility("hidden"), used))
PB_HIDDEN_ void* pb_deferred_gpgme_slots[std::size(kGpgmeNames)];
PB_HIDDEN_ void* pb_deferred_idn2_slots[std::size(kIdn2Names)];
PB_HIDDEN_ void* pb_deferred_mount_slots[std::size(kMountNames)];
PB_HIDDEN_ void* pb_deferred_selinux_slots[std::size(kSelinuxNames)];
PB_HIDDEN_ void* pb_deferred_crypto_slots[std::size(kCryptoNames)];
PB_HIDDEN_ void* pb_deferred_m_slots[std::size(kMNames)];

PB_HIDDEN_ DeferredLibrary pb_deferred_gpgme{"libgpgme.so.11", kGpgmeNames, pb_deferred_gpgme_slots,
                                             std::size(kGpgmeNames), InitializeGpgme, {}};
PB_HIDDEN_ DeferredLibrary pb_deferred_idn2{"libidn2.so.0", kIdn2Names, pb_deferred_idn2_slots,
                                            std::size(kIdn2Names), nullptr, {}};
PB_HIDDEN_ DeferredLibrary pb_deferred_mount{"libmount.so.1", kMountNames, pb_deferred_mount_slots,
                                             std::size(kMountNames), nullptr, {}};
PB_HIDDEN_ DeferredLibrary pb_deferred_selinux{"libselinux.so.1", kSelinuxNames,
                                               pb_deferred_selinux_slots, std::size(kSelinuxNames),
                                               nullptr, {}};
PB_HIDDEN_ DeferredLibrary pb_deferred_crypto{"libcrypto.so.3", kCryptoNames, pb_deferred_crypto_slots,
                                              std::size(kCryptoNames), nullptr, {}};
PB_HIDDEN_ DeferredLibrary pb_deferred_m{"libm.so.6", kMNames, pb_deferred_m_slots, std::size(kMNames),
                                         nullptr, {}};

// Called by the assembly on the first call of a function of `lib` (by each
// thread that races it); returns the function to jump to.
PB_HIDDEN_ void* pb_deferred_resolve(DeferredLibrary* lib, unsigned index) {
  std::call_once(lib->once, Load, *lib);
  return __atomic_load_n(&lib->slots[index], __ATOMIC_ACQUIRE);
}

const char* gpgme_check_version_internal(const char* required, std::size_t validity_offset) {
  gpgme_validity_offset = validity_offset;
  if (!required && !__atomic_load_n(&pb_deferred_gpgme_slots[0], __ATOMIC_ACQUIRE)) {
    return "";  // not NULL, which would mean "too old"; GMime reads nothing else
  }
  pb_deferred_resolve(&pb_deferred_gpgme, 0);
  return gpgme_check(required, validity_offset);
}

}  // extern "C"

// The jumps. `name` loads its slot; an empty slot (first call) goes to the
// resolver with the library in %r10 and the index in %r11, which saves the
// argument registers (integer, vector and %al for variadic calls), asks
// pb_deferred_resolve for the function and jumps to it with the registers
// as the caller left them.
#define PB_JUMP_(lib, index, name)                                             \
  ".globl " #name "\n.hidden " #name "\n.type " #name ",@function\n" #name ":\n" \
  "  movq pb_deferred_" #lib "_slots+8*" #index "(%rip), %r11\n"               \
  "  testq %r11, %r11\n"                                                       \
  "  jz 1f\n"                                                                  \
  "  jmp *%r11\n"                                                              \
  "1:leaq pb_deferred_" #lib "(%rip), %r10\n"                                  \
  "  movl $" #index ", %r11d\n"                                                \
  "  jmp pb_deferred_enter\n"                                                  \
  ".size " #name ", .-" #name "\n"

asm(".text\n"
    PB_GPGME_FUNCTIONS(PB_JUMP_)
    PB_IDN2_FUNCTIONS(PB_JUMP_)
    PB_MOUNT_FUNCTIONS(PB_JUMP_)
    PB_SELINUX_FUNCTIONS(PB_JUMP_)
    PB_CRYPTO_FUNCTIONS(PB_JUMP_)
    PB_M_FUNCTIONS(PB_JUMP_)
    ".type pb_deferred_enter,@function\n"
    "pb_deferred_enter:\n"
    // On entry %rsp is 8 mod 16 (the caller's return address); 7 pushes
    // make it 0 mod 16 for the vector stores and the call.
    "  pushq %rdi\n  pushq %rsi\n  pushq %rdx\n  pushq %rcx\n"
    "  pushq %r8\n  pushq %r9\n  pushq %rax\n"
    "  subq $128, %rsp\n"
    "  movaps %xmm0, 0(%rsp)\n  movaps %xmm1, 16(%rsp)\n"
    "  movaps %xmm2, 32(%rsp)\n  movaps %xmm3, 48(%rsp)\n"
    "  movaps %xmm4, 64(%rsp)\n  movaps %xmm5, 80(%rsp)\n"
    "  movaps %xmm6, 96(%rsp)\n  movaps %xmm7, 112(%rsp)\n"
    "  movq %r10, %rdi\n"
    "  movl %r11d, %esi\n"
    "  call pb_deferred_resolve\n"
    "  movq %rax, %r11\n"
    "  movaps 0(%rsp), %xmm0\n  movaps 16(%rsp), %xmm1\n"
    "  movaps 32(%rsp), %xmm2\n  movaps 48(%rsp), %xmm3\n"
    "  movaps 64(%rsp), %xmm4\n  movaps 80(%rsp), %xmm5\n"
    "  movaps 96(%rsp), %xmm6\n  movaps 112(%rsp), %xmm7\n"
    "  addq $128, %rsp\n"
    "  popq %rax\n  popq %r9\n  popq %r8\n  popq %rcx\n"
    "  popq %rdx\n  popq %rsi\n  popq %rdi\n"
    "  jmp *%r11\n"
    ".size pb_deferred_enter, .-pb_deferred_enter\n");

// The libraries GMime and GIO call but the binary does not link
// (src/core/system_libraries/deferred_libraries.cc) load on their first
// call and answer as if linked. With PATCHBAY_STATIC_DEPS=OFF the same calls
// go to the normally linked libraries, and the tests still hold.
#include <gio/gio.h>
#if __has_include(<gio/gunixmounts.h>)
#include <gio/gunixmounts.h>
#define PB_HAVE_GIO_UNIX 1
#endif
#include <gmime/gmime.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cfenv>
#include <cmath>
#include <string>

#include "mail/gmime_init.h"

namespace {

TEST(DeferredLibraries, Idn2EncodesAnInternationalDomain) {
  pb::mail::EnsureGMimeInit();
  InternetAddress* mailbox = internet_address_mailbox_new("", "foo@bücher.example");
  const char* ascii = internet_address_mailbox_get_idn_addr(INTERNET_ADDRESS_MAILBOX(mailbox));
  ASSERT_NE(ascii, nullptr);
  EXPECT_EQ(std::string(ascii), "foo@xn--bcher-kva.example");
  g_object_unref(mailbox);
}

#ifdef PB_HAVE_GIO_UNIX
TEST(DeferredLibraries, LibmountListsTheMountedFilesystems) {
  pb::mail::EnsureGMimeInit();  // GIO's types too: GObject starts there
  GList* mounts = g_unix_mounts_get(nullptr);
  bool root = false;
  for (GList* m = mounts; m; m = m->next) {
    auto* entry = static_cast<GUnixMountEntry*>(m->data);
    root = root || std::string(g_unix_mount_get_mount_path(entry)) == "/";
  }
  g_list_free_full(mounts, reinterpret_cast<GDestroyNotify>(g_unix_mount_free));
  EXPECT_TRUE(root);
}
#endif

TEST(DeferredLibraries, LibselinuxIsAskedForAFileContext) {
  pb::mail::EnsureGMimeInit();  // GIO's types too: GObject starts there
  GFile* file = g_file_new_for_path("/");
  GError* error = nullptr;
  GFileInfo* info = g_file_query_info(file, "selinux::context,standard::type",
                                      G_FILE_QUERY_INFO_NONE, nullptr, &error);
  ASSERT_NE(info, nullptr) << (error ? error->message : "");
  EXPECT_EQ(g_file_info_get_file_type(info), G_FILE_TYPE_DIRECTORY);
  g_object_unref(info);
  g_object_unref(file);
}

TEST(DeferredLibraries, GpgmeLoadsWhenACryptoContextIsMade) {
  pb::mail::EnsureGMimeInit();
  // GMime makes no context without the OpenPGP engine (gpg) to run.
  gchar* gpg = g_find_program_in_path("gpg");
  if (!gpg) GTEST_SKIP() << "gpg is not installed";
  g_free(gpg);
  GMimeCryptoContext* ctx = g_mime_gpg_context_new();
  ASSERT_NE(ctx, nullptr);
  EXPECT_STREQ(g_mime_crypto_context_get_signature_protocol(ctx), "application/pgp-signature");
  g_object_unref(ctx);
}

TEST(DeferredLibraries, LibcryptoHashesAndSigns) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  ASSERT_EQ(EVP_Digest("abc", 3, md, &len, EVP_sha256(), nullptr), 1);
  ASSERT_EQ(len, 32u);
  EXPECT_EQ(md[0], 0xba);  // SHA-256("abc") = ba7816bf...
  EXPECT_EQ(md[31], 0xad);
  // RFC 4231, test case 2.
  const unsigned char* mac = HMAC(EVP_sha256(), "Jefe", 4,
                                  reinterpret_cast<const unsigned char*>("what do ya want for nothing?"),
                                  28, md, &len);
  ASSERT_NE(mac, nullptr);
  EXPECT_EQ(md[0], 0x5b);
  EXPECT_EQ(md[31], 0x43);
  unsigned char random[16] = {};
  EXPECT_EQ(RAND_bytes(random, sizeof random), 1);
}

// SQLite's math functions are libm's only callers; called here directly
// (volatile arguments: no constant folding), they load it on first use.
TEST(DeferredLibraries, LibmComputes) {
  volatile double two = 2.0, ten = 10.0, half = 0.5;
  EXPECT_EQ(std::pow(two, ten), 1024.0);
  EXPECT_EQ(std::trunc(ten + half), 10.0);
  EXPECT_NEAR(std::acos(half), M_PI / 3, 1e-12);
  EXPECT_NEAR(std::exp(std::log(ten)), 10.0, 1e-12);
  EXPECT_EQ(std::fmod(ten, two + half + half), 1.0);
  EXPECT_EQ(std::fesetround(FE_TONEAREST), 0);
  EXPECT_EQ(std::fegetround(), FE_TONEAREST);
}

}  // namespace

// libcurl, loaded when the first mail is sent over SMTP or the first
// webhook is posted (see core/shared_library.h): other commands never map
// it, nor GnuTLS, Kerberos and LDAP behind it.
#pragma once

// The type-checking wrappers are macros named like the functions; they would
// expand inside `Curl().curl_easy_setopt(...)`.
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

#include <string>

#include "core/shared_library.h"

namespace pb::notify {

#define PB_LIBCURL_FUNCTIONS(X)                                                          \
  X(curl_global_init) X(curl_easy_init) X(curl_easy_setopt) X(curl_easy_perform)        \
  X(curl_easy_getinfo) X(curl_easy_cleanup) X(curl_easy_strerror) X(curl_slist_append) \
  X(curl_slist_free_all) X(curl_multi_init) X(curl_multi_cleanup) X(curl_multi_add_handle)      \
  X(curl_multi_remove_handle) X(curl_multi_perform) X(curl_multi_poll) X(curl_multi_info_read)

struct LibCurl {
  PB_LIBCURL_FUNCTIONS(PB_SHARED_FUNCTION)
};

// Loads libcurl.so.4 once; nullptr and *error when it is not installed.
const LibCurl* LoadLibCurl(std::string* error);

}  // namespace pb::notify

#include "notify/libcurl.h"

namespace pb::notify {

const LibCurl* LoadLibCurl(std::string* error) {
  PB_LOAD_SHARED_LIBRARY(LibCurl, "libcurl.so.4", PB_LIBCURL_FUNCTIONS, error)
}

}  // namespace pb::notify

#include "xmlrpc/libxml.h"

namespace pb::xmlrpc {

const LibXml* LoadLibXml(std::string* error) {
  PB_LOAD_SHARED_LIBRARY(LibXml, "libxml2.so.2", PB_LIBXML_FUNCTIONS, error)
}

}  // namespace pb::xmlrpc

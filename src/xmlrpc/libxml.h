// libxml2, loaded when the first XML-RPC request is parsed (see
// core/shared_library.h): only `patchbay serve` needs it, and ICU behind it.
#pragma once

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <string>

#include "core/shared_library.h"

namespace pb::xmlrpc {

#define PB_LIBXML_FUNCTIONS(X)                                                           \
  X(xmlInitParser) X(xmlStopParser) X(xmlNewParserCtxt) X(xmlCtxtReadMemory)            \
  X(xmlCtxtGetLastError) X(xmlDocGetRootElement) X(xmlFreeDoc) X(xmlFreeParserCtxt)

struct LibXml {
  PB_LIBXML_FUNCTIONS(PB_SHARED_FUNCTION)
};

// Loads libxml2.so.2 once; nullptr and *error when it is not installed.
const LibXml* LoadLibXml(std::string* error);

}  // namespace pb::xmlrpc

#include "xmlrpc/request.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>

#include "xmlrpc/libxml.h"
#include "xmlrpc/marshal.h"
#include "xmlrpc/py.h"
#include "xmlrpc/py_error.h"

namespace pb::xmlrpc {
namespace {

// Python's client surfaces expat's errors; we surface libxml2's under the
// same class so the fault reads the same to a client.
constexpr char kExpatError[] = "xml.parsers.expat.ExpatError";

PyError XmlError(std::string message) { return {kExpatError, std::move(message)}; }
// What xmlrpc.client's Unmarshaller raises for a structurally wrong call.
PyError ResponseError() { return {"xmlrpc.client.ResponseError", "ResponseError()"}; }

// The table of libxml2's functions; only after InitOnce().
const LibXml& Xml() { return *LoadLibXml(nullptr); }

struct DocFree {
  void operator()(xmlDoc* d) const { Xml().xmlFreeDoc(d); }
};
struct CtxtFree {
  void operator()(xmlParserCtxt* c) const { Xml().xmlFreeParserCtxt(c); }
};

void InitOnce() {
  std::string error;
  if (!LoadLibXml(&error)) throw Error("XML-RPC: " + error);
  static std::once_flag once;
  std::call_once(once, [] { Xml().xmlInitParser(); });
}

// Called by libxml2 at "<!DOCTYPE", before any declaration inside it is read:
// a DTD is how entity-expansion and external-entity attacks get in, and an
// XML-RPC call never needs one.
void RefuseDoctype(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
  auto* ctxt = static_cast<xmlParserCtxt*>(ctx);
  ctxt->_private = reinterpret_cast<void*>(1);
  Xml().xmlStopParser(ctxt);
}

bool IsName(const xmlNode* n, const char* name) {
  return n->type == XML_ELEMENT_NODE && std::strcmp(reinterpret_cast<const char*>(n->name), name) == 0;
}

std::string Name(const xmlNode* n) { return reinterpret_cast<const char*>(n->name); }

// Concatenated character data directly under `n`.
std::string Text(const xmlNode* n) {
  std::string out;
  for (const xmlNode* c = n->children; c; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (c->content) out += reinterpret_cast<const char*>(c->content);
    }
  }
  return out;
}

bool IsBlank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// The element children of `n`; stray non-blank text between them is an error.
std::vector<const xmlNode*> Elements(const xmlNode* n) {
  std::vector<const xmlNode*> out;
  for (const xmlNode* c = n->children; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) {
      out.push_back(c);
    } else if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content &&
               !IsBlank(reinterpret_cast<const char*>(c->content))) {
      throw ResponseError();
    }
  }
  return out;
}

int64_t ParseInt(const std::string& text) {
  int64_t v = 0;
  if (!ParsePyInt(text, &v)) {
    throw PyError{"ValueError", "invalid literal for int() with base 10: " + PyRepr(Value::String(text))};
  }
  return v;
}

double ParseDouble(const std::string& text) {
  std::string t(PyStrip(text));
  char* end = nullptr;
  errno = 0;
  double d = std::strtod(t.c_str(), &end);
  if (t.empty() || end != t.c_str() + t.size()) {
    throw PyError{"ValueError", "could not convert string to float: '" + text + "'"};
  }
  return d;
}

Value ParseValue(const xmlNode* value, int depth);

Value ParseTyped(const xmlNode* t, int depth) {
  const std::string name = Name(t);
  if (name == "string") return Value::String(Text(t));
  if (name == "int" || name == "i4" || name == "i8" || name == "i1" || name == "i2" ||
      name == "biginteger") {
    return Value::Int(ParseInt(Text(t)));
  }
  if (name == "boolean") {
    std::string b = Text(t);
    if (b == "0") return Value::Bool(false);
    if (b == "1") return Value::Bool(true);
    throw PyError{"TypeError", "bad boolean value"};
  }
  if (name == "double" || name == "float" || name == "bigdecimal") {
    return Value::Double(ParseDouble(Text(t)));
  }
  if (name == "dateTime.iso8601") return Value::DateTime(std::string(PyStrip(Text(t))));
  if (name == "base64") {
    std::string raw;
    if (!DecodeBase64(Text(t), &raw)) throw PyError{"binascii.Error", "Incorrect padding"};
    return Value::Bytes(std::move(raw));
  }
  if (name == "nil") return Value::Nil();
  if (name == "array" || name == "struct") {
    if (depth >= kMaxValueDepth) {
      throw PyError{"Exception", "values nested deeper than " + std::to_string(kMaxValueDepth) +
                                     " levels are not accepted"};
    }
    if (name == "array") {
      auto parts = Elements(t);
      if (parts.size() != 1 || !IsName(parts[0], "data")) throw ResponseError();
      Value out = Value::Array();
      for (const xmlNode* v : Elements(parts[0])) {
        if (!IsName(v, "value")) throw ResponseError();
        out.items.push_back(ParseValue(v, depth + 1));
      }
      return out;
    }
    Value out = Value::Struct();
    for (const xmlNode* m : Elements(t)) {
      if (!IsName(m, "member")) throw ResponseError();
      const xmlNode* key = nullptr;
      const xmlNode* val = nullptr;
      for (const xmlNode* c : Elements(m)) {
        if (IsName(c, "name") && !key) key = c;
        else if (IsName(c, "value") && !val) val = c;
        else throw ResponseError();
      }
      if (!key || !val) throw ResponseError();
      out.Add(Text(key), ParseValue(val, depth + 1));
    }
    return out;
  }
  throw ResponseError();
}

// <value> with one typed child, or bare text (a string).
Value ParseValue(const xmlNode* value, int depth) {
  bool has_element = false;
  for (const xmlNode* c = value->children; c && !has_element; c = c->next) {
    has_element = c->type == XML_ELEMENT_NODE;
  }
  if (!has_element) return Value::String(Text(value));
  auto typed = Elements(value);
  if (typed.size() != 1) throw ResponseError();
  return ParseTyped(typed[0], depth);
}

// Counts start tags and the attributes in each on the raw bytes, so that a
// document past the limits is refused before libxml2 parses it. NUL bytes
// are skipped, which makes UTF-16 and UTF-32 text read as its ASCII
// characters; every other encoding a call may use is ASCII-compatible. Both
// counts are upper bounds ('<' in comments or CDATA counts too), so a
// document within them is never refused by mistake.
void CheckShape(std::string_view xml) {
  int elements = 0;
  int attributes = 0;
  bool in_tag = false;
  char quote = 0;
  for (char c : xml) {
    if (c == '\0') continue;
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    if (!in_tag) {
      if (c == '<') {
        in_tag = true;
        attributes = 0;
        if (++elements > kMaxElements) {
          throw XmlError("more than " + std::to_string(kMaxElements) + " elements");
        }
      }
      continue;
    }
    if (c == '>') {
      in_tag = false;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '=' && ++attributes > kMaxAttributesPerElement) {
      throw XmlError("more than " + std::to_string(kMaxAttributesPerElement) +
                     " attributes on one element");
    }
  }
}

}  // namespace

Call ParseCall(std::string_view xml) {
  if (xml.size() > kMaxRequestBytes) {
    throw Error("request body larger than " + std::to_string(kMaxRequestBytes) + " bytes");
  }
  // Cheap first line of defence; the SAX hook below also catches DOCTYPEs in
  // encodings this byte search can't see (UTF-16).
  if (xml.find("<!DOCTYPE") != std::string_view::npos) {
    throw XmlError("DTDs are not accepted");
  }
  CheckShape(xml);
  InitOnce();

  std::unique_ptr<xmlParserCtxt, CtxtFree> ctxt(Xml().xmlNewParserCtxt());
  if (!ctxt) throw Error("out of memory");
  ctxt->sax->internalSubset = RefuseDoctype;
  ctxt->_private = nullptr;
  // No XML_PARSE_NOENT (substitute entities), DTDLOAD/DTDATTR/DTDVALID (fetch
  // or apply DTDs), or HUGE (lift libxml2's depth and size limits).
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
  std::unique_ptr<xmlDoc, DocFree> doc(Xml().xmlCtxtReadMemory(
      ctxt.get(), xml.data(), static_cast<int>(xml.size()), "request.xml", nullptr, options));
  if (ctxt->_private != nullptr) throw XmlError("DTDs are not accepted");
  if (!doc || !ctxt->wellFormed) {
    const xmlError* e = Xml().xmlCtxtGetLastError(ctxt.get());
    std::string msg = e && e->message ? e->message : "syntax error";
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    int line = e ? e->line : 1, col = e ? e->int2 : 0;
    throw XmlError(msg + ": line " + std::to_string(line) + ", column " + std::to_string(col));
  }
  if (doc->intSubset || doc->extSubset) throw XmlError("DTDs are not accepted");

  const xmlNode* root = Xml().xmlDocGetRootElement(doc.get());
  if (!root || !IsName(root, "methodCall")) throw ResponseError();
  Call call;
  call.method = "None";  // Python formats a missing method name as None
  bool have_params = false;
  for (const xmlNode* part : Elements(root)) {
    if (IsName(part, "methodName")) {
      call.method = Text(part);
    } else if (IsName(part, "params")) {
      have_params = true;
      for (const xmlNode* param : Elements(part)) {
        if (!IsName(param, "param")) throw ResponseError();
        auto vals = Elements(param);
        if (vals.size() != 1 || !IsName(vals[0], "value")) throw ResponseError();
        call.params.push_back(ParseValue(vals[0], 0));
      }
    } else {
      throw ResponseError();
    }
  }
  // Python's unmarshaller, which upstream uses, rejects a call without <params>.
  if (!have_params) throw ResponseError();
  return call;
}

}  // namespace pb::xmlrpc

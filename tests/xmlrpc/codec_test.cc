// The wire format: responses byte-identical to CPython's xmlrpc.client, and
// requests parsed safely whatever they contain.
#include <gtest/gtest.h>

#include <string>

#include "rpc_test_util.h"
#include "test_util.h"
#include "xmlrpc/marshal.h"
#include "xmlrpc/py_error.h"
#include "xmlrpc/request.h"
#include "xmlrpc/xmlrpc.h"

namespace pb::xmlrpc {
namespace {

using testing::ReadReply;

// Captured from Python 3.11: xmlrpc.client.dumps(({'a': 1, 'b': b'x' * 100,
// 'c': [True, '<&>'], 'd': {}},), methodresponse=True, allow_none=False).
constexpr char kPythonResponse[] =
    "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><struct>\n<member>\n"
    "<name>a</name>\n<value><int>1</int></value>\n</member>\n<member>\n<name>b</name>\n"
    "<value><base64>\n"
    "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4\n"
    "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eA==\n"
    "</base64></value>\n</member>\n<member>\n<name>c</name>\n<value><array><data>\n"
    "<value><boolean>1</boolean></value>\n<value><string>&lt;&amp;&gt;</string></value>\n"
    "</data></array></value>\n</member>\n<member>\n<name>d</name>\n<value><struct>\n"
    "</struct></value>\n</member>\n</struct></value>\n</param>\n</params>\n</methodResponse>\n";

Value Sample() {
  Value v = Value::Struct();
  v.Add("a", Value::Int(1));
  v.Add("b", Value::Bytes(std::string(100, 'x')));
  v.Add("c", Value::Array({Value::Bool(true), Value::String("<&>")}));
  v.Add("d", Value::Struct());
  return v;
}

TEST(Marshal, ResponseIsByteIdenticalToPython) {
  EXPECT_EQ(DumpResponse(Sample()), kPythonResponse);
}

TEST(Marshal, FaultIsByteIdenticalToPython) {
  // xmlrpc.client.dumps(xmlrpc.client.Fault(1, 'oops <x>'))
  EXPECT_EQ(DumpFault(1, "oops <x>"),
            "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n"
            "<name>faultCode</name>\n<value><int>1</int></value>\n</member>\n<member>\n"
            "<name>faultString</name>\n<value><string>oops &lt;x&gt;</string></value>\n"
            "</member>\n</struct></value>\n</fault>\n</methodResponse>\n");
}

TEST(Marshal, CallIsByteIdenticalToPython) {
  // xmlrpc.client.dumps((1, 'a'), 'foo')
  EXPECT_EQ(DumpCall("foo", {Value::Int(1), Value::String("a")}),
            "<?xml version='1.0'?>\n<methodCall>\n<methodName>foo</methodName>\n<params>\n"
            "<param>\n<value><int>1</int></value>\n</param>\n<param>\n"
            "<value><string>a</string></value>\n</param>\n</params>\n</methodCall>\n");
}

TEST(Marshal, CallWithNilIsByteIdenticalToPython) {
  // xmlrpc.client.dumps((None, [None]), 'm', allow_none=True)
  EXPECT_EQ(DumpCall("m", {Value::Nil(), Value::Array({Value::Nil()})}),
            "<?xml version='1.0'?>\n<methodCall>\n<methodName>m</methodName>\n<params>\n"
            "<param>\n<value><nil/></value></param>\n<param>\n<value><array><data>\n"
            "<value><nil/></value></data></array></value>\n</param>\n</params>\n</methodCall>\n");
}

TEST(Marshal, NilAndHugeIntsRaiseLikePython) {
  try {
    DumpResponse(Value::Array({Value::Nil()}));
    FAIL();
  } catch (const PyError& e) {
    EXPECT_EQ(e.FaultString(),
              "<class 'TypeError'>:cannot marshal None unless allow_none is enabled");
  }
  EXPECT_THROW(DumpResponse(Value::Int(int64_t{1} << 31)), PyError);
  EXPECT_NO_THROW(DumpResponse(Value::Int(-(int64_t{1} << 31))));
}

// CPython writes these raw and its own client then fails to read the reply;
// here every byte XML 1.0 forbids becomes U+FFFD, everything else is as is.
TEST(Marshal, CharactersInvalidInXmlBecomeReplacementCharacters) {
  static const char kRaw[] = "a\0b\x1b[2Jc\td\re\xef\xbf\xbe\xff\xc3\xa9\xf0\x9f\x98\x80";
  std::string doc = DumpResponse(Value::String(std::string(kRaw, sizeof kRaw - 1)));
  EXPECT_NE(doc.find("<string>a\xef\xbf\xbd" "b\xef\xbf\xbd[2Jc\td\re\xef\xbf\xbd\xef\xbf\xbd\xc3\xa9\xf0\x9f\x98\x80</string>"),
            std::string::npos)
      << doc;
  // A reply with them is well-formed: our own parser (libxml2) reads it back.
  Call c = ParseCall("<?xml version='1.0'?>\n<methodCall>\n<methodName>m</methodName>\n<params>\n<param>\n" +
                     doc.substr(doc.find("<value>"), doc.find("</param>") - doc.find("<value>")) +
                     "</param>\n</params>\n</methodCall>\n");
  ASSERT_EQ(c.params.size(), 1u);
}

TEST(Base64, LinesLikeEncodebytes) {
  EXPECT_EQ(EncodeBase64Lines(""), "");
  EXPECT_EQ(EncodeBase64Lines("None"), "Tm9uZQ==\n");
  std::string s57(57, 'y');
  EXPECT_EQ(EncodeBase64Lines(s57).size(), 77u);  // one full line
  EXPECT_EQ(EncodeBase64Lines(s57 + "y"), EncodeBase64Lines(s57) + "eQ==\n");
  std::string out;
  ASSERT_TRUE(DecodeBase64("dXNlcjpw\nYXNz", &out));
  EXPECT_EQ(out, "user:pass");
  ASSERT_TRUE(DecodeBase64("YQ==", &out));
  EXPECT_EQ(out, "a");
  EXPECT_FALSE(DecodeBase64("YQ", &out));
  EXPECT_FALSE(DecodeBase64("Y", &out));
}

TEST(Codec, RoundTripsEveryType) {
  Value v = Value::Struct();
  v.Add("int", Value::Int(-42));
  v.Add("bool", Value::Bool(false));
  v.Add("double", Value::Double(2.5));
  v.Add("string", Value::String("caf\xc3\xa9 & <tags> \"q\" 'a'\n  spaced  "));
  v.Add("empty", Value::String(""));
  v.Add("bytes", Value::Bytes(std::string("\0\x01\xff", 3) + std::string(200, 'z')));
  v.Add("date", Value::DateTime("20240101T09:00:00"));
  v.Add("list", Value::Array({Value::Int(1), Value::Array({Value::String("deep")}), Value::Struct()}));
  Call c = ParseCall(DumpCall("m", {v, Value::Int(7)}));
  EXPECT_EQ(c.method, "m");
  ASSERT_EQ(c.params.size(), 2u);
  EXPECT_EQ(DumpResponse(c.params[0]), DumpResponse(v));
  EXPECT_EQ(c.params[1].i, 7);
}

TEST(Codec, AcceptsTheOtherSpellings) {
  Call c = ParseCall(
      "<?xml version=\"1.0\"?><methodCall><methodName>m</methodName><params>"
      "<param><value>bare text</value></param>"
      "<param><value><i4> 12 </i4></value></param>"
      "<param><value><i8>-3</i8></value></param>"
      "<param><value><string><![CDATA[a<b]]></string></value></param>"
      "<param><value><struct><member><name>k</name><value>1</value></member>"
      "<member><name>k</name><value>2</value></member></struct></value></param>"
      "<param><value><nil/></value></param>"
      "</params></methodCall>");
  ASSERT_EQ(c.params.size(), 6u);
  EXPECT_EQ(c.params[0].s, "bare text");
  EXPECT_EQ(c.params[1].i, 12);
  EXPECT_EQ(c.params[2].i, -3);
  EXPECT_EQ(c.params[3].s, "a<b");
  ASSERT_EQ(c.params[4].members.size(), 1u);  // a repeated key replaces, as in a dict
  EXPECT_EQ(c.params[4].members[0].second.s, "2");
  EXPECT_TRUE(c.params[5].is(Value::Kind::kNil));
}

// ---- hostile or broken input: always a fault, never a crash, quickly ----

class Hostile : public ::testing::Test {
 protected:
  std::string Fault(std::string_view body) {
    // No clock: the machines tests run on are loaded. An input that gets
    // past the limits costs minutes or gigabytes, which the test timeout
    // and the memory limit catch.
    std::string doc = HandleCall(db_.conn(), body, "");
    auto r = ReadReply(doc);
    EXPECT_TRUE(r.fault) << doc.substr(0, 300);
    return r.fault_string;
  }
  pb::testing::TempDb db_;
};

TEST_F(Hostile, BillionLaughs) {
  std::string bomb =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n";
  bomb += "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n";
  for (int i = 2; i <= 9; ++i) {
    std::string prev = "&lol" + std::to_string(i - 1) + ";";
    bomb += "<!ENTITY lol" + std::to_string(i) + " \"";
    for (int k = 0; k < 10; ++k) bomb += prev;
    bomb += "\">\n";
  }
  bomb += "]>\n<methodCall><methodName>project_list</methodName><params><param><value>"
          "<string>&lol9;</string></value></param></params></methodCall>";
  EXPECT_NE(Fault(bomb).find("DTD"), std::string::npos);
}

TEST_F(Hostile, ExternalEntity) {
  std::string xxe =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE foo [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
      "<methodCall><methodName>project_list</methodName><params><param><value>"
      "<string>&xxe;</string></value></param></params></methodCall>";
  std::string f = Fault(xxe);
  EXPECT_EQ(f.find("root:"), std::string::npos);
}

TEST_F(Hostile, Utf16DoctypeIsRefusedToo) {
  // The byte search for "<!DOCTYPE" can't see this; the parser hook does.
  std::string ascii =
      "<?xml version=\"1.0\" encoding=\"UTF-16LE\"?><!DOCTYPE a [<!ENTITY e \"x\">]>"
      "<methodCall><methodName>pw_rpc_version</methodName><params/></methodCall>";
  std::string utf16 = "\xff\xfe";
  for (char c : ascii) {
    utf16 += c;
    utf16 += '\0';
  }
  EXPECT_NE(Fault(utf16).find("DTD"), std::string::npos);
}

TEST_F(Hostile, ManyAttributesAreRefusedBeforeParsing) {
  // 130,000 attributes on <methodCall> (907 KB) cost 64 s in libxml2 2.9.14.
  std::string call = "<?xml version=\"1.0\"?><methodCall";
  const char* letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (int i = 0; i < 130000; ++i) {
    call += ' ';
    call += letters[i % 52];
    call += letters[i / 52 % 52];
    call += letters[i / 2704];
    call += "=''";
  }
  call += "><methodName>pw_rpc_version</methodName><params/></methodCall>";
  ASSERT_LT(call.size(), kMaxRequestBytes);
  EXPECT_NE(Fault(call).find("attributes"), std::string::npos);
  // In UTF-16 the byte count still sees them.
  std::string utf16 = "\xff\xfe";
  for (char c : call.substr(0, 4000) + "/>") {
    utf16 += c;
    utf16 += '\0';
  }
  EXPECT_NE(Fault(utf16).find("attributes"), std::string::npos);
  // A '>' or '=' inside a quoted value is not a tag end or an attribute.
  std::string quoted = "<methodCall a='x>=y=z=w=v=u=t=s=r=q=p=o=n=m=l=k=j=i=h'><methodName>m</methodName><params/></methodCall>";
  EXPECT_EQ(Fault(quoted).find("attributes"), std::string::npos);
}

TEST_F(Hostile, ManyElementsAreRefusedBeforeParsing) {
  std::string call = "<methodCall><methodName>m</methodName><params><param><value><array><data>";
  for (int i = 0; i < 110000; ++i) call += "<i/>";
  call += "</data></array></value></param></params></methodCall>";
  EXPECT_NE(Fault(call).find("elements"), std::string::npos);
}

TEST_F(Hostile, HundredThousandDeepNesting) {
  std::string deep = "<methodCall><methodName>patch_list</methodName><params><param>";
  for (int i = 0; i < 100000; ++i) deep += "<value><array><data>";
  for (int i = 0; i < 100000; ++i) deep += "</data></array></value>";
  deep += "</param></params></methodCall>";
  Fault(deep);
}

TEST_F(Hostile, NestingJustPastTheLimit) {
  std::string deep = "<methodCall><methodName>patch_list</methodName><params><param>";
  for (int i = 0; i <= kMaxValueDepth; ++i) deep += "<value><array><data>";
  for (int i = 0; i <= kMaxValueDepth; ++i) deep += "</data></array></value>";
  deep += "</param></params></methodCall>";
  EXPECT_NE(Fault(deep).find("nested"), std::string::npos);
}

TEST_F(Hostile, TenMegabyteBody) {
  std::string big = "<methodCall><methodName>project_list</methodName><params><param><value>";
  big += std::string(10 << 20, 'a');
  big += "</value></param></params></methodCall>";
  EXPECT_NE(Fault(big).find("larger than"), std::string::npos);
}

TEST_F(Hostile, Garbage) {
  EXPECT_NE(Fault("\x01\x02 this is not xml {]").find("ExpatError"), std::string::npos);
  Fault("");
  Fault("<methodCall><methodName>x</methodName>");  // truncated
  Fault(std::string("\0\0\0\0", 4));
}

TEST_F(Hostile, WrongRootElement) {
  EXPECT_EQ(Fault("<methodResponse><params/></methodResponse>"),
            "<class 'xmlrpc.client.ResponseError'>:ResponseError()");
  Fault("<html><body>hi</body></html>");
}

TEST_F(Hostile, MissingParams) {
  Fault("<methodCall><methodName>pw_rpc_version</methodName></methodCall>");
  EXPECT_EQ(Fault("<methodCall><methodName>patch_get</methodName><params/></methodCall>"),
            "<class 'TypeError'>:patch_get() missing 1 required positional argument: 'patch_id'");
}

TEST_F(Hostile, MalformedValues) {
  auto call = [](std::string value) {
    return "<methodCall><methodName>patch_get</methodName><params><param><value>" + value +
           "</value></param></params></methodCall>";
  };
  Fault(call("<int>twelve</int>"));
  Fault(call("<int>99999999999999999999999</int>"));
  Fault(call("<boolean>yes</boolean>"));
  Fault(call("<base64>!!!</base64>"));
  Fault(call("<struct><member><name>x</name></member></struct>"));
  Fault(call("<array><value>1</value></array>"));
  Fault(call("<unknown>1</unknown>"));
  Fault(call("<int>1</int><int>2</int>"));
}

}  // namespace
}  // namespace pb::xmlrpc

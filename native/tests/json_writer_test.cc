// The JSON writer behind the raw probe: commas, nesting, and strings that stay valid JSON
// whatever bytes they hold.
#include "harness/json_writer.h"
#include "helpers.h"
#include "json_lite.h"

namespace iob {
namespace {

TEST(JsonWriter, NestsAndSeparates) {
  JsonWriter json;
  json.begin_object()
      .field("a", 1)
      .field("b", true)
      .key("c")
      .begin_array()
      .value(-2)
      .null()
      .begin_object()
      .end_object()
      .end_array()
      .field("d", std::optional<int>())
      .field("e", std::optional<uint64_t>(7))
      .key("f")
      .begin_array()
      .end_array()
      .end_object();
  EXPECT_EQ(json.take(), R"({"a":1,"b":true,"c":[-2,null,{}],"d":null,"e":7,"f":[]})");
}

TEST(JsonWriter, EscapesEveryStringIntoValidJson) {
  // Quotes, backslashes, control characters, DEL, valid multi-byte UTF-8, and invalid bytes
  // (a lone continuation byte, a truncated sequence, an overlong form, a surrogate).
  const std::string nasty = std::string("q\"b\\n\nt\tc\x01z\x1f") + "\x7f" +
                            "\xc3\xa9\xe2\x82\xac" + "\xf0\x9f\x98\x80" + "\x80" + "\xe2\x82" +
                            "\xc0\xaf" + "\xed\xa0\x80";
  JsonWriter json;
  json.begin_object().field(nasty, nasty).end_object();
  const std::string text = json.take();
  json_lite::Value parsed;
  ASSERT_NO_THROW(parsed = json_lite::parse(text)) << text;
  const std::string expected = std::string("q\"b\\n\nt\tc\x01z\x1f") + "\x7f" +
                               "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" + "\xef\xbf\xbd"  // \x80
                               + "\xef\xbf\xbd\xef\xbf\xbd"                             // \xe2\x82
                               + "\xef\xbf\xbd\xef\xbf\xbd"                             // \xc0\xaf
                               + "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd";  // \xed\xa0\x80
  ASSERT_EQ(parsed.object().size(), 1u);
  EXPECT_EQ(parsed.object()[0].first, expected);
  EXPECT_EQ(parsed.object()[0].second.string(), expected);
}

TEST(JsonLite, RejectsWhatIsNotJson) {
  for (const char* bad : {"{\"a\":1,}", "[1,]", "{'a':1}", "[1] x", "\"tab\there\"", "01",
                          "{\"a\" 1}", "nul", "\"\\x\""}) {
    EXPECT_THROW(json_lite::parse(bad), std::runtime_error) << bad;
  }
}

}  // namespace
}  // namespace iob

// A strict JSON parser for the tests (RFC 8259: no trailing commas, no comments, no control
// characters in strings, nothing after the value), so a test can both check that the native
// writers produce valid JSON and read the repository's JSON data files.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace iob::json_lite {

struct Value;
using Array = std::vector<Value>;
// Members in document order.
using Object = std::vector<std::pair<std::string, Value>>;

struct Value {
  std::variant<std::nullptr_t, bool, double, std::string, Array, Object> data;

  bool is_null() const { return std::holds_alternative<std::nullptr_t>(data); }
  bool boolean() const { return std::get<bool>(data); }
  double number() const { return std::get<double>(data); }
  int64_t integer() const { return static_cast<int64_t>(std::get<double>(data)); }
  const std::string& string() const { return std::get<std::string>(data); }
  const Array& array() const { return std::get<Array>(data); }
  const Object& object() const { return std::get<Object>(data); }

  // The member `key` of an object; throws std::out_of_range if absent.
  const Value& operator[](std::string_view key) const {
    for (const auto& [name, value] : object()) {
      if (name == key) {
        return value;
      }
    }
    throw std::out_of_range("no member " + std::string(key));
  }
  bool has(std::string_view key) const {
    for (const auto& member : object()) {
      if (member.first == key) {
        return true;
      }
    }
    return false;
  }
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  // Throws std::runtime_error naming the offset of the first error.
  Value parse_document() {
    Value value = parse_value();
    skip_space();
    if (at_ != text_.size()) {
      fail("text after the value");
    }
    return value;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("invalid JSON at offset " + std::to_string(at_) + ": " + what);
  }
  void skip_space() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r')) {
      ++at_;
    }
  }
  char peek() const { return at_ < text_.size() ? text_[at_] : '\0'; }
  void expect(char c) {
    if (peek() != c) {
      fail(std::string("expected '") + c + "'");
    }
    ++at_;
  }
  bool consume_literal(std::string_view literal) {
    if (text_.substr(at_, literal.size()) == literal) {
      at_ += literal.size();
      return true;
    }
    return false;
  }

  Value parse_value() {
    skip_space();
    const char c = peek();
    if (c == '{') return parse_object();
    if (c == '[') return parse_array();
    if (c == '"') return Value{parse_string()};
    if (consume_literal("true")) return Value{true};
    if (consume_literal("false")) return Value{false};
    if (consume_literal("null")) return Value{nullptr};
    return parse_number();
  }

  Value parse_object() {
    expect('{');
    Object members;
    skip_space();
    if (peek() == '}') {
      ++at_;
      return Value{std::move(members)};
    }
    for (;;) {
      skip_space();
      std::string key = parse_string();
      skip_space();
      expect(':');
      members.emplace_back(std::move(key), parse_value());
      skip_space();
      if (peek() == ',') {
        ++at_;
        continue;
      }
      expect('}');
      return Value{std::move(members)};
    }
  }

  Value parse_array() {
    expect('[');
    Array items;
    skip_space();
    if (peek() == ']') {
      ++at_;
      return Value{std::move(items)};
    }
    for (;;) {
      items.push_back(parse_value());
      skip_space();
      if (peek() == ',') {
        ++at_;
        continue;
      }
      expect(']');
      return Value{std::move(items)};
    }
  }

  Value parse_number() {
    const size_t start = at_;
    if (peek() == '-') ++at_;
    if (peek() == '0') {
      ++at_;
    } else if (peek() >= '1' && peek() <= '9') {
      while (peek() >= '0' && peek() <= '9') ++at_;
    } else {
      fail("expected a value");
    }
    if (peek() == '.') {
      ++at_;
      if (!(peek() >= '0' && peek() <= '9')) fail("digit expected after '.'");
      while (peek() >= '0' && peek() <= '9') ++at_;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++at_;
      if (peek() == '+' || peek() == '-') ++at_;
      if (!(peek() >= '0' && peek() <= '9')) fail("digit expected in exponent");
      while (peek() >= '0' && peek() <= '9') ++at_;
    }
    return Value{std::stod(std::string(text_.substr(start, at_ - start)))};
  }

  uint32_t parse_hex4() {
    if (at_ + 4 > text_.size()) fail("short \\u escape");
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[at_++];
      value <<= 4;
      if (c >= '0' && c <= '9')
        value |= c - '0';
      else if (c >= 'a' && c <= 'f')
        value |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        value |= c - 'A' + 10;
      else
        fail("bad hex digit");
    }
    return value;
  }

  static void append_utf8(std::string& out, uint32_t code_point) {
    if (code_point < 0x80) {
      out += static_cast<char>(code_point);
    } else if (code_point < 0x800) {
      out += static_cast<char>(0xC0 | (code_point >> 6));
      out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else if (code_point < 0x10000) {
      out += static_cast<char>(0xE0 | (code_point >> 12));
      out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (code_point >> 18));
      out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code_point & 0x3F));
    }
  }

  std::string parse_string() {
    expect('"');
    std::string out;
    for (;;) {
      if (at_ >= text_.size()) fail("unterminated string");
      const char c = text_[at_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      const char escape = text_[at_++];
      switch (escape) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          uint32_t code_point = parse_hex4();
          if (code_point >= 0xD800 && code_point <= 0xDBFF) {
            if (!consume_literal("\\u")) fail("lone high surrogate");
            const uint32_t low = parse_hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail("bad low surrogate");
            code_point = 0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, code_point);
          break;
        }
        default:
          fail("bad escape");
      }
    }
  }

  std::string_view text_;
  size_t at_ = 0;
};

inline Value parse(std::string_view text) { return Parser(text).parse_document(); }

}  // namespace iob::json_lite

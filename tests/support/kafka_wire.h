// Kafka protocol primitive types, big-endian, as the protocol guide defines them
// (https://kafka.apache.org/protocol#protocol_types): INT8/16/32, STRING (INT16 length),
// NULLABLE_STRING (length -1: null), BYTES (INT32 length), ARRAY (INT32 count), UNSIGNED_VARINT and
// the tagged-field section of flexible versions. For the test shim (kafka_group_shim.h).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cdcwatch::testing::kafka_wire {

class Reader {
 public:
  explicit Reader(std::string_view data, size_t at = 0) : data_(data), at_(at) {}

  int8_t int8() { return static_cast<int8_t>(take(1)[0]); }
  int16_t int16() { return static_cast<int16_t>(big_endian(take(2))); }
  int32_t int32() { return static_cast<int32_t>(big_endian(take(4))); }
  std::string string() {
    int16_t length = int16();
    return length < 0 ? std::string() : std::string(take(static_cast<size_t>(length)));
  }
  uint32_t unsigned_varint() {
    uint32_t value = 0;
    for (int shift = 0; shift <= 28; shift += 7) {
      auto byte = static_cast<uint8_t>(take(1)[0]);
      value |= static_cast<uint32_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    throw std::runtime_error("kafka wire: unsigned varint longer than 5 bytes");
  }
  // Skips a tagged-field section (flexible versions): a count, then tag, size and bytes each.
  void skip_tagged_fields() {
    for (uint32_t n = unsigned_varint(); n > 0; --n) {
      unsigned_varint();
      take(unsigned_varint());
    }
  }
  std::string_view take(size_t n) {
    if (n > data_.size() - at_) throw std::runtime_error("kafka wire: message ends early");
    std::string_view out = data_.substr(at_, n);
    at_ += n;
    return out;
  }
  size_t at() const { return at_; }
  std::string_view rest() const { return data_.substr(at_); }

 private:
  static uint32_t big_endian(std::string_view bytes) {
    uint32_t value = 0;
    for (char c : bytes) value = (value << 8) | static_cast<uint8_t>(c);
    return value;
  }
  std::string_view data_;
  size_t at_;
};

class Writer {
 public:
  Writer& int8(int8_t v) { return raw(static_cast<uint32_t>(static_cast<uint8_t>(v)), 1); }
  Writer& int16(int16_t v) { return raw(static_cast<uint16_t>(v), 2); }
  Writer& int32(int32_t v) { return raw(static_cast<uint32_t>(v), 4); }
  Writer& string(std::string_view s) {
    int16(static_cast<int16_t>(s.size()));
    out_.append(s);
    return *this;
  }
  Writer& null_string() { return int16(-1); }
  Writer& bytes(std::string_view b) {
    int32(static_cast<int32_t>(b.size()));
    out_.append(b);
    return *this;
  }
  Writer& unsigned_varint(uint32_t v) {
    for (; v >= 0x80; v >>= 7) out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    out_.push_back(static_cast<char>(v));
    return *this;
  }
  Writer& append(std::string_view b) {
    out_.append(b);
    return *this;
  }
  const std::string& data() const { return out_; }
  // The message as sent: INT32 size, then the bytes.
  std::string framed() const {
    return Writer().int32(static_cast<int32_t>(out_.size())).data() + out_;
  }

 private:
  Writer& raw(uint32_t v, int size) {
    for (int i = size - 1; i >= 0; --i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return *this;
  }
  std::string out_;
};

}  // namespace cdcwatch::testing::kafka_wire

#include "reference/base/secret_generator.h"

#include <cstring>

#include "reference/base/bytes.h"
#include "reference/base/sha256.h"

namespace imagelib {
namespace {

void append_le64(std::string& out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

ByteView view(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

SecretGenerator::Key SecretGenerator::key_from_seed(std::uint64_t seed) {
  std::string input = "imagelib secret key from seed ";
  append_le64(input, seed);
  return sha256_bytes(view(input));
}

std::string SecretGenerator::key_to_hex(const Key& key) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (std::uint8_t byte : key) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0xf]);
  }
  return hex;
}

bool SecretGenerator::key_from_hex(std::string_view hex, Key& key) {
  if (hex.size() != 2 * key.size()) return false;
  for (std::size_t i = 0; i < key.size(); ++i) {
    const int high = hex_digit(hex[2 * i]);
    const int low = hex_digit(hex[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    key[i] = static_cast<std::uint8_t>(high * 16 + low);
  }
  return true;
}

SecretGenerator::SecretGenerator(const Key& key, std::string_view stream) : key_(key), stream_(stream) {}

std::uint64_t SecretGenerator::next_u64() {
  if (used_ == buffered_.size()) {
    // SHA-256(key || length of the name || name || counter): no two
    // (stream, counter) pairs hash the same input.
    std::string input(key_.begin(), key_.end());
    append_le64(input, stream_.size());
    input += stream_;
    append_le64(input, block_++);
    const auto digest = sha256_bytes(view(input));
    for (std::size_t i = 0; i < buffered_.size(); ++i) {
      std::uint64_t word = 0;
      for (std::size_t b = 0; b < 8; ++b) word |= std::uint64_t{digest[8 * i + b]} << (8 * b);
      buffered_[i] = word;
    }
    used_ = 0;
  }
  return buffered_[used_++];
}

std::uint64_t SecretGenerator::uniform(std::uint64_t bound) {
  // The largest multiple of bound that fits: values at or past it are drawn again.
  const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % bound);
  while (true) {
    const std::uint64_t value = next_u64();
    if (value < limit) return value % bound;
  }
}

std::string SecretGenerator::draw(std::string_view alphabet, std::size_t length) {
  std::string secret;
  for (std::size_t i = 0; i < length; ++i) secret.push_back(alphabet[uniform(alphabet.size())]);
  return secret;
}

}  // namespace imagelib

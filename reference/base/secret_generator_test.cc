#include "reference/base/secret_generator.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace imagelib {
namespace {

TEST(SecretGenerator, TheSameKeyAndStreamGiveTheSameSecrets) {
  const auto key = SecretGenerator::key_from_seed(7);
  SecretGenerator a(key, "secrets");
  SecretGenerator b(key, "secrets");
  EXPECT_EQ(a.draw("abcdef0123", 40), b.draw("abcdef0123", 40));
}

TEST(SecretGenerator, StreamsSeedsAndKeysAreIndependent) {
  const std::string alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::set<std::string> drawn;
  for (std::uint64_t seed : {1u, 2u}) {
    for (const char* stream : {"secrets", "api-tokens", "secrets2"}) {
      drawn.insert(SecretGenerator(SecretGenerator::key_from_seed(seed), stream).draw(alphabet, 32));
    }
  }
  EXPECT_EQ(drawn.size(), 6u);
}

TEST(SecretGenerator, DrawsAreUniformOverTheAlphabet) {
  SecretGenerator secrets(SecretGenerator::key_from_seed(3), "secrets");
  std::map<char, int> counts;
  constexpr int kDraws = 62000;
  const std::string alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (char c : secrets.draw(alphabet, kDraws)) ++counts[c];
  ASSERT_EQ(counts.size(), alphabet.size());
  for (const auto& [c, n] : counts) {
    EXPECT_NEAR(n, kDraws / 62, 200) << c;  // about 6 standard deviations
  }
}

TEST(SecretGenerator, KeysRoundTripThroughHex) {
  const auto key = SecretGenerator::key_from_seed(11);
  SecretGenerator::Key back{};
  ASSERT_TRUE(SecretGenerator::key_from_hex(SecretGenerator::key_to_hex(key), back));
  EXPECT_EQ(back, key);
  EXPECT_EQ(SecretGenerator::key_to_hex(key).size(), 64u);
  EXPECT_FALSE(SecretGenerator::key_from_hex("00", back));
  EXPECT_FALSE(SecretGenerator::key_from_hex(std::string(64, 'g'), back));
}

}  // namespace
}  // namespace imagelib

// SecretGenerator: where API client secrets, FTP passwords and API tokens
// come from. Each value is drawn from SHA-256(key, stream name, counter), a
// keyed hash, so seeing any number of secrets tells nothing about the others
// without the 256-bit key (a seeded Rng such as xoshiro gives its state away
// after a few outputs). The reference derives the key from its seed, so the
// same seed gives the same secrets; imagelib serve gives it a key from
// OpenSSL's CSPRNG. Pure computation; not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace imagelib {

class SecretGenerator {
 public:
  using Key = std::array<std::uint8_t, 32>;

  // The key a seeded reference uses: SHA-256 of a label and the seed.
  static Key key_from_seed(std::uint64_t seed);
  // Lowercase hex of a key (64 characters), and back (false for text that is not one).
  static std::string key_to_hex(const Key& key);
  static bool key_from_hex(std::string_view hex, Key& key);

  SecretGenerator(const Key& key, std::string_view stream);

  // Uniform in [0, bound); bound must be > 0. Unbiased (rejection).
  std::uint64_t uniform(std::uint64_t bound);
  // `length` characters of `alphabet`, each uniform.
  std::string draw(std::string_view alphabet, std::size_t length);

 private:
  std::uint64_t next_u64();

  Key key_;
  std::string stream_;
  std::uint64_t block_ = 0;                  // the counter of the next hash
  std::array<std::uint64_t, 4> buffered_{};  // the last hash's words
  std::size_t used_ = 4;                     // how many of them were drawn
};

}  // namespace imagelib

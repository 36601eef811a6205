#include "net/basic_auth.h"

#include <openssl/evp.h>

namespace imagelib::net {

std::string basic_authorization(const std::string& client_id, const std::string& secret) {
  const std::string plain = client_id + ":" + secret;
  std::string encoded(4 * ((plain.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                     reinterpret_cast<const unsigned char*>(plain.data()),
                                     static_cast<int>(plain.size()));
  encoded.resize(static_cast<std::size_t>(length));
  return "Basic " + encoded;
}

}  // namespace imagelib::net

// Makes a self-signed certificate and key (EC P-256, subject CN=localhost,
// names 127.0.0.1, ::1 and localhost) for tests and for `imagelib serve`
// started without --tls-cert. Callers: net/, tools/, tests.
#pragma once

#include <string>

#include "net/tls_context.h"
#include "reference/base/status.h"

namespace imagelib::net {

struct PemPair {
  std::string certificate;
  std::string private_key;
};

// A new key pair and a certificate valid from now for `days`.
Result<PemPair> make_self_signed_certificate(int days = 365);

// Writes both as PEM files in `directory` (cert.pem, key.pem with mode 0600).
Result<TlsCertificateFiles> write_self_signed_certificate(const std::string& directory);

}  // namespace imagelib::net

#include "reference/library/server_types.h"

#include <array>

namespace imagelib {
namespace {

constexpr std::array<ServerType, 6> kServerTypes{{
    {"typ-00512", "512mb.ssd", "SSD 512MB", 1, 512, 20 * 1024},
    {"typ-01024", "1gb.ssd", "SSD 1GB", 1, 1024, 30 * 1024},
    {"typ-02048", "2gb.ssd", "SSD 2GB", 2, 2048, 40 * 1024},
    {"typ-04096", "4gb.ssd", "SSD 4GB", 2, 4096, 80 * 1024},
    {"typ-08192", "8gb.ssd", "SSD 8GB", 4, 8192, 160 * 1024},
    {"typ-16384", "16gb.ssd", "SSD 16GB", 8, 16384, 320 * 1024},
}};

}  // namespace

std::span<const ServerType> server_types() { return kServerTypes; }

const ServerType* find_server_type(std::string_view id_or_handle) {
  for (const auto& type : kServerTypes) {
    if (type.id == id_or_handle || type.handle == id_or_handle) return &type;
  }
  return nullptr;
}

const ServerType& default_server_type() { return kServerTypes[1]; }

}  // namespace imagelib

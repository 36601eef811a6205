#include "reference/library/server_types.h"

#include <array>

namespace imagelib {
namespace {

constexpr std::array<ServerType, 6> kServerTypes{{
    {"typ-00512", "512mb.ssd", 512, 20 * 1024},
    {"typ-01024", "1gb.ssd", 1024, 30 * 1024},
    {"typ-02048", "2gb.ssd", 2048, 40 * 1024},
    {"typ-04096", "4gb.ssd", 4096, 80 * 1024},
    {"typ-08192", "8gb.ssd", 8192, 160 * 1024},
    {"typ-16384", "16gb.ssd", 16384, 320 * 1024},
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

// The server types a server can be built with: RAM decides whether an image's
// min_ram allows it, disk whether the image's virtual size fits.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace imagelib {

struct ServerType {
  std::string_view id;      // "typ-01024"
  std::string_view handle;  // "1gb.ssd"
  std::string_view name;    // "SSD 1GB"
  std::uint32_t cores;
  std::uint32_t ram_mb;
  std::uint64_t disk_mb;
};

std::span<const ServerType> server_types();
// Finds a type by id or handle.
const ServerType* find_server_type(std::string_view id_or_handle);
// The type used when a request names none.
const ServerType& default_server_type();

}  // namespace imagelib

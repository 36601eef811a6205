#include "conformance/content.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "reference/base/rng.h"

namespace imagelib::conformance {
namespace {

Result<Bytes> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(ErrorCode::kNotFound, "cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  const std::string s = text.str();
  return Bytes(s.begin(), s.end());
}

Status write_file(const std::filesystem::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) return Status(ErrorCode::kInternal, "cannot write " + path.string());
  return {};
}

// Runs a shell command line built only from our own temp paths and values
// the schema restricts to fixed names.
Status run(const std::string& command) {
  if (std::system((command + " >/dev/null 2>&1").c_str()) != 0) {
    return Status(ErrorCode::kInternal, "command failed: " + command);
  }
  return {};
}

// A temporary folder removed when the object goes away.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "imagelib-content-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

bool is_safe_option_text(const std::string& text) {
  return text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_=,.-") ==
         std::string::npos;
}

}  // namespace

Bytes generate_disk(std::uint64_t size, std::uint64_t seed) {
  Rng rng(seed);
  Bytes disk(size, 0);
  constexpr std::string_view kText = "imagelib conformance disk: the quick brown fox jumps over. ";
  std::uint64_t pos = 0;
  while (pos < size) {
    const std::uint64_t run = std::min<std::uint64_t>(size - pos, 512 + rng.uniform(64 * 1024));
    switch (rng.uniform(3)) {
      case 0:
        for (std::uint64_t i = 0; i < run; ++i) disk[pos + i] = static_cast<std::uint8_t>(rng.next_u64());
        break;
      case 1:
        for (std::uint64_t i = 0; i < run; ++i) {
          disk[pos + i] = static_cast<std::uint8_t>(kText[(pos + i) % kText.size()]);
        }
        break;
      default: break;  // zeros
    }
    pos += run;
  }
  return disk;
}

Result<Bytes> make_content(const nlohmann::json& spec, const std::filesystem::path& scenario_dir) {
  const std::string kind = spec.at("generate");
  Bytes content;
  if (kind == "raw") {
    content = generate_disk(spec.value("size", std::uint64_t{1} << 20), spec.value("seed", std::uint64_t{1}));
  } else if (kind == "zeros") {
    content.assign(spec.value("size", std::uint64_t{1} << 20), 0);
  } else if (kind == "text") {
    const std::string text = spec.value("text", "");
    content.assign(text.begin(), text.end());
  } else {
    auto file = read_file(scenario_dir / spec.value("path", ""));
    if (!file.ok()) return file.status();
    content = std::move(*file);
  }
  const std::string format = spec.value("format", "raw");
  const std::string compress = spec.value("compress", "");
  if (format == "raw" && compress.empty()) return content;

  TempDir temp;
  if (temp.path().empty()) return Status(ErrorCode::kInternal, "cannot make a temporary folder");
  auto current = temp.path() / "disk.raw";
  IMAGELIB_RETURN_IF_ERROR(write_file(current, content));
  if (format != "raw") {
    const std::string options = spec.value("options", "");
    if (!is_safe_option_text(options)) {
      return Status(ErrorCode::kBadRequest, "content options may hold [A-Za-z0-9_=,.-] only");
    }
    const auto converted = temp.path() / ("disk." + format);
    IMAGELIB_RETURN_IF_ERROR(run("qemu-img convert -f raw -O " + format +
                                 (options.empty() ? "" : " -o " + options) + " " + current.string() +
                                 " " + converted.string()));
    current = converted;
  }
  if (!compress.empty()) {
    IMAGELIB_RETURN_IF_ERROR(run(compress + " -k -q " + current.string()));
    const std::string suffix = compress == "gzip" ? ".gz" : compress == "bzip2" ? ".bz2"
                               : compress == "xz" ? ".xz" : ".zst";
    current += suffix;
  }
  return read_file(current);
}

}  // namespace imagelib::conformance

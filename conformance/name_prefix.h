// NamePrefix: how a remote conformance run marks what it creates on a
// deployment it shares with others. Requests get the prefix in front of the
// names they give (image and server names, register sources, file names in
// incoming/); answers get it taken out again, so a scenario sees the names
// it wrote and the reference comparison holds. Cleanup then touches only
// what carries the prefix. Callers: RemoteTarget, tests.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace imagelib::conformance {

class NamePrefix {
 public:
  explicit NamePrefix(std::string prefix) : prefix_(std::move(prefix)) {}

  const std::string& text() const { return prefix_; }
  bool marks(const std::string& name) const { return name.rfind(prefix_, 0) == 0; }

  // The body of an API request with the prefix in front of "name" (images
  // and servers) and "source" (register); other requests and bodies that
  // are not JSON objects go as they are.
  std::string request_body(const std::string& method, const std::string& path,
                           const std::string& body) const;
  // Every occurrence of the prefix taken out of a text, or of every string
  // in a JSON value.
  std::string strip(std::string text) const;
  nlohmann::json strip(const nlohmann::json& value) const;
  // An answer's body: JSON strings stripped (the text stays JSON), or the text.
  std::string strip_body(const std::string& body) const;

  // An FTP path naming a file in incoming/ ("/incoming/a.img" or
  // "incoming/a.img") gets the prefix in front of the file name; every other
  // path (folders, images/, paths with "..") is left alone.
  std::string ftp_path(const std::string& path) const;
  // A command line whose argument is a path ("MLST /incoming/a.img").
  std::string ftp_command(const std::string& line) const;

 private:
  std::string prefix_;
};

}  // namespace imagelib::conformance

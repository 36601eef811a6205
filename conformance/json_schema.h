// A validator for the subset of JSON Schema (draft 2020-12 keywords) that the
// scenario format's schema uses: type, enum, const, properties, required,
// additionalProperties, items, minItems, minimum, minLength, pattern, oneOf,
// anyOf and local $ref ("#/$defs/name"). Errors name the JSON pointer of the
// offending value.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace imagelib::conformance {

struct SchemaError {
  std::string pointer;  // "/steps/3/api/method"
  std::string message;  // "must be one of GET, POST, PUT, DELETE"
};

class JsonSchema {
 public:
  explicit JsonSchema(nlohmann::json schema) : root_(std::move(schema)) {}
  // Every violation found, in document order; empty when `value` conforms.
  std::vector<SchemaError> validate(const nlohmann::json& value) const;

 private:
  void check(const nlohmann::json& schema, const nlohmann::json& value, const std::string& pointer,
             std::vector<SchemaError>& errors) const;
  const nlohmann::json& resolve(const nlohmann::json& schema) const;

  nlohmann::json root_;
};

}  // namespace imagelib::conformance

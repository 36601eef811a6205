#include "conformance/json_schema.h"

#include <gtest/gtest.h>

namespace imagelib::conformance {
namespace {

const JsonSchema kSchema(nlohmann::json::parse(R"({
  "type": "object",
  "required": ["name"],
  "additionalProperties": false,
  "properties": {
    "name": {"type": "string", "minLength": 1},
    "kind": {"enum": ["a", "b"]},
    "size": {"type": "integer", "minimum": 0},
    "tags": {"type": "array", "items": {"$ref": "#/$defs/tag"}}
  },
  "$defs": {"tag": {"type": "string", "pattern": "^[a-z]+$"}}
})"));

TEST(JsonSchema, AcceptsAConformingDocument) {
  EXPECT_TRUE(kSchema.validate({{"name", "x"}, {"kind", "a"}, {"size", 3}, {"tags", {"ab"}}}).empty());
}

TEST(JsonSchema, NamesThePointerOfEachViolation) {
  const auto errors =
      kSchema.validate({{"kind", "c"}, {"size", -1}, {"tags", {"ok", "Bad"}}, {"extra", 1}});
  ASSERT_EQ(errors.size(), 5u);
  EXPECT_EQ(errors[0].pointer, "/");
  EXPECT_EQ(errors[0].message, "lacks the required field \"name\"");
  EXPECT_EQ(errors[1].pointer, "/extra");
  EXPECT_EQ(errors[2].pointer, "/kind");
  EXPECT_EQ(errors[2].message, "must be one of a, b");
  EXPECT_EQ(errors[3].pointer, "/size");
  EXPECT_EQ(errors[4].pointer, "/tags/1");
}

TEST(JsonSchema, WrongTypeStopsFurtherChecksOfThatValue) {
  const auto errors = kSchema.validate(nlohmann::json::array());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "must be of type object");
}

}  // namespace
}  // namespace imagelib::conformance

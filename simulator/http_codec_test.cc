#include "simulator/http_codec.h"

#include <gtest/gtest.h>

namespace imagelib::sim {
namespace {

ByteView view(const std::string& text) {
  return ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

TEST(HttpCodecTest, RequestRoundTripsThroughBytesSplitAnywhere) {
  HttpRequest request;
  request.method = "POST";
  request.target = "/1.0/images?account_id=acc-12345";
  request.headers = {{"authorization", "Bearer abc"}, {"content-type", "application/json"}};
  request.body = R"({"arch":"x86_64"})";
  const std::string wire = serialize_request(request) + serialize_request(request);
  for (std::size_t split = 1; split < wire.size(); split += 7) {
    HttpParser parser;
    parser.append(view(wire.substr(0, split)));
    int parsed = 0;
    while (auto r = parser.next_request()) {
      EXPECT_EQ(r->method, "POST");
      EXPECT_EQ(r->target, request.target);
      EXPECT_EQ(r->headers, request.headers);
      EXPECT_EQ(r->body, request.body);
      ++parsed;
    }
    parser.append(view(wire.substr(split)));
    while (parser.next_request()) ++parsed;
    EXPECT_EQ(parsed, 2) << "split at " << split;
    EXPECT_FALSE(parser.failed());
  }
}

TEST(HttpCodecTest, ResponseKeepsStatusHeadersAndBody) {
  HttpResponse response;
  response.status = 202;
  response.headers = {{"link", "<https://api/1.0/images/img-abcde>; rel=snapshot"}};
  response.body = "{}";
  HttpParser parser;
  parser.append(view(serialize_response(response)));
  auto parsed = parser.next_response();
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->status, 202);
  EXPECT_EQ(parsed->headers, response.headers);
  EXPECT_EQ(parsed->body, "{}");
}

TEST(HttpCodecTest, HeaderNamesAreLowerCasedAndValuesTrimmed) {
  HttpParser parser;
  parser.append(view("GET /1.0/images HTTP/1.1\r\nAuthorization:   Bearer x  \r\n\r\n"));
  auto parsed = parser.next_request();
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->headers.at("authorization"), "Bearer x");
  EXPECT_EQ(parsed->body, "");
}

TEST(HttpCodecTest, MalformedStreamsFailClearly) {
  for (const std::string bad : {"GET /x HTTP/1.0\r\n\r\n", "GET\r\n\r\n",
                                "GET /x HTTP/1.1\r\nno colon\r\n\r\n",
                                "GET /x HTTP/1.1\r\ncontent-length: 1x\r\n\r\n",
                                "POST /x HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n"}) {
    HttpParser parser;
    parser.append(view(bad));
    EXPECT_FALSE(parser.next_request()) << bad;
    EXPECT_TRUE(parser.failed()) << bad;
  }
}

TEST(HttpCodecTest, OversizedMessagesFail) {
  HttpParser parser(100);
  parser.append(view("POST /x HTTP/1.1\r\ncontent-length: 1000\r\n\r\n"));
  EXPECT_FALSE(parser.next_request());
  EXPECT_TRUE(parser.failed());
}

}  // namespace
}  // namespace imagelib::sim

// Properties of the API core: whatever the body, target or Authorization
// header, handle() answers with a 2xx or 4xx status and a JSON body, and the
// service keeps working afterwards.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

#include "reference/api/api_testing.h"

namespace imagelib::testing {
namespace {

// A library with something behind every endpoint: an image and a server of
// the caller, a public and a private image of another account.
struct World {
  ApiFixture f;
  std::string image;
  std::string server;
  std::string public_image;
  std::string private_image;

  World() {
    image = f.add_image(f.main, "own.img", sample_disk()).id;
    public_image = f.add_image(f.alt, "public.img", sample_disk(), /*is_public=*/true).id;
    private_image = f.add_image(f.alt, "private.img", sample_disk()).id;
    server = f.library.create_server(f.main, {.image = image}, f.now).value().id;
  }

  struct EndpointCall {
    std::string method;
    std::string target;
  };
  std::vector<EndpointCall> endpoints() const {
    return {
        {"POST", "/token"},
        {"GET", "/1.0/images"},
        {"POST", "/1.0/images"},
        {"GET", "/1.0/images/" + image},
        {"PUT", "/1.0/images/" + image},
        {"PUT", "/1.0/images/" + public_image},
        {"PUT", "/1.0/images/" + private_image},
        {"DELETE", "/1.0/images/" + image},
        {"PUT", "/1.0/images/" + image + "/lock_resource"},
        {"PUT", "/1.0/images/" + image + "/unlock_resource"},
        {"GET", "/1.0/servers"},
        {"POST", "/1.0/servers"},
        {"GET", "/1.0/servers/" + server},
        {"POST", "/1.0/servers/" + server + "/snapshot"},
        {"GET", "/1.0/account"},
        {"GET", "/1.0/accounts/" + f.main},
        {"POST", "/1.0/accounts/" + f.main + "/reset_ftp_password"},
    };
  }

  // Values a field might plausibly hold, so that some bodies get past the
  // type checks into the Library.
  std::vector<nlohmann::json> plausible_values() const {
    return {"x86_64", "i686", "own.img", image, public_image, private_image, server,
            "deprecated", "available", "deleted", "2gb.ssd", "client_credentials", 0, 512,
            65536, -1, 1.5, true, false, nullptr};
  }
};

const std::vector<std::string> kFieldNames{
    "arch", "source", "server", "http_url", "name", "description", "username", "public",
    "compatibility_mode", "min_ram", "status", "image", "server_type", "grant_type", "client_id",
    "scope", "zone"};

rc::Gen<std::string> any_text() {
  return rc::gen::container<std::string>(rc::gen::arbitrary<char>());
}

rc::Gen<nlohmann::json> json_scalar(const World& world) {
  return rc::gen::oneOf(
      rc::gen::elementOf(world.plausible_values()),
      rc::gen::map(rc::gen::arbitrary<std::int64_t>(), [](std::int64_t v) { return nlohmann::json(v); }),
      rc::gen::map(rc::gen::arbitrary<std::uint64_t>(),
                   [](std::uint64_t v) { return nlohmann::json(v); }),
      rc::gen::map(rc::gen::arbitrary<double>(), [](double v) { return nlohmann::json(v); }),
      rc::gen::map(any_text(), [](std::string v) { return nlohmann::json(std::move(v)); }));
}

rc::Gen<nlohmann::json> json_value(const World& world) {
  return rc::gen::oneOf(
      json_scalar(world),
      rc::gen::map(rc::gen::container<std::vector<nlohmann::json>>(json_scalar(world)),
                   [](std::vector<nlohmann::json> items) { return nlohmann::json(std::move(items)); }));
}

rc::Gen<nlohmann::json> json_object(const World& world) {
  const auto key = rc::gen::oneOf(rc::gen::elementOf(kFieldNames),
                                  rc::gen::map(any_text(), [](std::string k) { return k; }));
  return rc::gen::map(
      rc::gen::container<std::vector<std::pair<std::string, nlohmann::json>>>(
          rc::gen::pair(key, json_value(world))),
      [](const std::vector<std::pair<std::string, nlohmann::json>>& fields) {
        nlohmann::json object = nlohmann::json::object();
        for (const auto& [name, value] : fields) object[name] = value;
        return object;
      });
}

// A body: raw bytes, a JSON value of any kind, or a JSON object of fields.
rc::Gen<std::string> any_body(const World& world) {
  const auto dump = [](const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  return rc::gen::oneOf(any_text(), rc::gen::map(json_value(world), dump),
                        rc::gen::map(json_object(world), dump));
}

void check_answer(const HttpResponse& response) {
  RC_ASSERT((response.status >= 200 && response.status < 300) ||
            (response.status >= 400 && response.status < 500));
  RC_ASSERT(response.headers.at("content-type") == "application/json");
  RC_ASSERT(!nlohmann::json::parse(response.body, nullptr, false).is_discarded());
}

void check_still_serving(World& world) {
  const HttpResponse list = world.f.call(world.f.main, "GET", "/1.0/images");
  RC_ASSERT(list.status == 200);
  const HttpResponse other = world.f.call(world.f.alt, "GET", "/1.0/images/" + world.private_image);
  RC_ASSERT(other.status == 200);
}

RC_GTEST_PROP(ApiProperties, AnyBodyOnAnyEndpointGetsA2xxOr4xxJsonAnswer, ()) {
  World world;
  const auto endpoint = *rc::gen::elementOf(world.endpoints());
  const std::string body = *any_body(world);
  const HttpResponse response = endpoint.target == "/token"
                                    ? world.f.request_token(world.f.clients.at(world.f.main), body)
                                    : world.f.call(world.f.main, endpoint.method, endpoint.target, body);
  RC_TAG(response.status);
  check_answer(response);
  check_still_serving(world);
}

RC_GTEST_PROP(ApiProperties, AnyMethodTargetAndAuthorizationGetA2xxOr4xxJsonAnswer, ()) {
  World world;
  const std::vector<std::string> segments{"1.0", "images", "servers", "accounts", "account",
                                          "token", "lock_resource", "snapshot", world.image,
                                          world.server, world.f.main, ""};
  const auto segment = rc::gen::oneOf(rc::gen::elementOf(segments), any_text());
  std::string target;
  for (const std::string& part : *rc::gen::container<std::vector<std::string>>(segment)) {
    target += "/" + part;
  }
  if (*rc::gen::arbitrary<bool>()) target += "?" + *any_text();
  if (*rc::gen::arbitrary<bool>()) target = *any_text();
  const std::string method =
      *rc::gen::oneOf(rc::gen::elementOf(std::vector<std::string>{"GET", "POST", "PUT", "DELETE",
                                                                  "PATCH", "HEAD", "OPTIONS"}),
                      any_text());
  std::map<std::string, std::string> headers;
  const int auth = *rc::gen::inRange(0, 4);
  if (auth == 1) headers["authorization"] = "Bearer " + world.f.token_of(world.f.main);
  if (auth == 2) headers["authorization"] = *any_text();
  if (auth == 3) headers["authorization"] = "Basic " + *any_text();
  const HttpResponse response = world.f.send({method, target, headers, *any_body(world)});
  check_answer(response);
  check_still_serving(world);
}

}  // namespace
}  // namespace imagelib::testing

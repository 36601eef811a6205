#include "reference/api/handlers.h"
#include "reference/api/request_json.h"
#include "reference/library/json.h"

namespace imagelib::api {
namespace {

auto account_to_json(const Call& call, bool with_password) {
  return [&call, with_password](const Account& account) {
    return account_json(account, call.library.options().ftp_host, with_password);
  };
}

}  // namespace

HttpResponse show_own_account(const Call& call) {
  return result_response(call.library.show_account(call.caller, call.caller), 200,
                         account_to_json(call, false));
}

HttpResponse show_account(const Call& call) {
  return result_response(call.library.show_account(call.caller, call.id), 200,
                         account_to_json(call, false));
}

HttpResponse reset_ftp_password(const Call& call) {
  if (Status fields = expect_no_fields(call.body); !fields.ok()) return error_response(fields);
  return result_response(call.library.reset_ftp_password(call.caller, call.id), 200,
                         account_to_json(call, true));
}

}  // namespace imagelib::api

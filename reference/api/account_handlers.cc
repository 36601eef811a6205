#include "reference/api/handlers.h"
#include "reference/api/request_json.h"

namespace imagelib::api {
namespace {

auto account_to_json(const Call& call, bool with_password) {
  return [&call, with_password](const Account& account) {
    return account_json(call.library.view_account(account), json_context(call), with_password);
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

HttpResponse list_accounts(const Call& call) {
  nlohmann::json listed = nlohmann::json::array();
  for (const Account& account : call.library.list_accounts(call.caller)) {
    listed.push_back(account_to_json(call, false)(account));
  }
  return json_response(200, listed);
}

HttpResponse reset_ftp_password(const Call& call, bool own_account) {
  if (Status fields = expect_no_fields(call.body); !fields.ok()) return error_response(fields);
  const AccountId& account = own_account ? call.caller : call.id;
  return result_response(call.library.reset_ftp_password(call.caller, account), 200,
                         account_to_json(call, true));
}

}  // namespace imagelib::api

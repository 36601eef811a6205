#include "simulator/api_server_connection.h"

#include "simulator/library_host.h"

namespace imagelib::sim {

ApiServerConnection::ApiServerConnection(LibraryHost& owner, ConnectionId id)
    : owner_(owner), id_(id), out_(owner.host(), id) {
  owner_.host().adopt(id_, *this);
  tls_.start_server(owner_.tls_cache());
}

void ApiServerConnection::on_connected(ConnectionId) {}

void ApiServerConnection::on_data(ConnectionId, ByteView data) {
  if (finished_) return;
  ModelledTls::Output out = tls_.on_bytes(data);
  if (!out.to_send.empty()) out_.write(out.to_send);
  if (out.failed_now) {
    owner_.host().network().reset(id_, owner_.host().name());
    finished_ = true;
    owner_.release_api(id_);
    return;
  }
  parser_.append(out.application);
  answer_requests();
}

void ApiServerConnection::answer_requests() {
  while (auto request = parser_.next_request()) {
    owner_.run_jobs();
    const HttpResponse response = owner_.api().handle(*request, owner_.loop().wall_now());
    owner_.loop().note("api c" + std::to_string(id_) + " " + request->method + " " +
                       request->target + " -> " + std::to_string(response.status));
    out_.write(serialize_response(response));
  }
  if (parser_.failed()) {
    HttpResponse bad;
    bad.status = 400;
    bad.headers["content-type"] = "application/json";
    bad.body = R"({"error_name":"bad_request","errors":["malformed HTTP request"]})";
    out_.write(serialize_response(bad));
    out_.close_when_sent();
    finished_ = true;
  }
}

void ApiServerConnection::on_writable(ConnectionId) { out_.flush(); }

void ApiServerConnection::on_closed(ConnectionId, CloseKind kind) {
  if (kind == CloseKind::kPeerClosed && out_.empty()) out_.close_when_sent();
  finished_ = true;
  owner_.release_api(id_);
}

}  // namespace imagelib::sim

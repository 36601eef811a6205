// ApiServerConnection: one HTTPS connection of the library host's API port.
// Modelled TLS, then HTTP/1.1 requests (keep-alive, one at a time) parsed
// from the byte stream, answered by the ApiService, serialised back. A
// stream that is not HTTP as http_codec.h reads it gets a 400 and a close.
// Owned by LibraryHost.
#pragma once

#include "simulator/host.h"
#include "simulator/http_codec.h"
#include "simulator/modelled_tls.h"

namespace imagelib::sim {

class LibraryHost;

class ApiServerConnection final : public ConnectionHandler {
 public:
  ApiServerConnection(LibraryHost& owner, ConnectionId id);

  void on_connected(ConnectionId id) override;
  void on_data(ConnectionId id, ByteView data) override;
  void on_writable(ConnectionId id) override;
  void on_closed(ConnectionId id, CloseKind kind) override;

 private:
  void answer_requests();

  LibraryHost& owner_;
  ConnectionId id_;
  Outbox out_;
  ModelledTls tls_{ModelledTls::Role::kServer};
  HttpParser parser_;
  bool finished_ = false;
};

}  // namespace imagelib::sim

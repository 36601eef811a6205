#include "simulator/api_client_channel.h"

#include "simulator/library_host.h"

namespace imagelib::sim {

ApiClientChannel::ApiClientChannel(Host& host, SimTime timeout) : host_(host), timeout_(timeout) {}

ApiClientChannel::~ApiClientChannel() {
  if (connection_ != 0) host_.forget(connection_);
}

void ApiClientChannel::send(HttpRequest request, ResponseCallback on_response) {
  queue_.push_back(Pending{std::move(request), std::move(on_response)});
  send_next();
}

void ApiClientChannel::send_next() {
  if (in_flight_ || queue_.empty()) return;
  if (connection_ == 0) {
    connection_ = host_.connect(kLibraryHostName, kApiPort, *this);
    out_ = std::make_unique<Outbox>(host_, connection_);
    tls_ = std::make_unique<ModelledTls>(ModelledTls::Role::kClient);
    parser_ = std::make_unique<HttpParser>();
    ready_ = false;
  }
  if (!ready_) return;
  in_flight_ = true;
  out_->write(serialize_request(queue_.front().request));
  const std::uint64_t serial = ++request_serial_;
  std::weak_ptr<ApiClientChannel> self = weak_from_this();
  host_.loop().schedule_after(timeout_, "api request " + std::to_string(serial) + " deadline",
                              [self, serial] {
    auto channel = self.lock();
    if (!channel || !channel->in_flight_ || channel->request_serial_ != serial) return;
    ++channel->timeouts_;
    channel->host_.network().reset(channel->connection_, channel->host_.name());
    channel->fail_connection();
  });
}

void ApiClientChannel::report(ResponseCallback callback, std::optional<HttpResponse> response) {
  std::weak_ptr<ApiClientChannel> self = weak_from_this();
  host_.loop().schedule_after(0, response ? "api response" : "api failure",
                              [self, callback = std::move(callback), response = std::move(response)] {
    if (self.lock()) callback(response);
  });
}

void ApiClientChannel::fail_connection() {
  host_.forget(connection_);
  connection_ = 0;
  ready_ = false;
  if (in_flight_) {
    in_flight_ = false;
    Pending failed = std::move(queue_.front());
    queue_.pop_front();
    ++request_serial_;
    report(std::move(failed.on_response), std::nullopt);
  } else if (!queue_.empty()) {
    // The connection never became ready: the first request fails, the rest wait.
    Pending failed = std::move(queue_.front());
    queue_.pop_front();
    report(std::move(failed.on_response), std::nullopt);
  }
}

void ApiClientChannel::on_connected(ConnectionId) {
  out_->write(tls_->start_client(std::nullopt).to_send);
}

void ApiClientChannel::on_data(ConnectionId, ByteView data) {
  ModelledTls::Output out = tls_->on_bytes(data);
  if (!out.to_send.empty()) out_->write(out.to_send);
  if (out.failed_now) {
    host_.network().reset(connection_, host_.name());
    return fail_connection();
  }
  if (out.established_now) {
    ready_ = true;
    send_next();
  }
  parser_->append(out.application);
  while (in_flight_) {
    auto response = parser_->next_response();
    if (!response) break;
    in_flight_ = false;
    ++request_serial_;
    Pending done = std::move(queue_.front());
    queue_.pop_front();
    report(std::move(done.on_response), std::move(response));
    send_next();
  }
  if (parser_->failed()) {
    host_.network().reset(connection_, host_.name());
    fail_connection();
  }
}

void ApiClientChannel::on_writable(ConnectionId) { out_->flush(); }

void ApiClientChannel::on_closed(ConnectionId, CloseKind kind) {
  if (kind == CloseKind::kPeerClosed) host_.network().reset(connection_, host_.name());
  fail_connection();
  send_next();
}

}  // namespace imagelib::sim

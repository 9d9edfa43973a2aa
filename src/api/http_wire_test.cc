// The response bytes the server writes: status line, headers the server owns, keep-alive
// framing for HTTP/1.0 and 1.1, HEAD and bodiless statuses, no header injection.
#include "api/http_wire.h"

#include <gtest/gtest.h>

namespace tinyloop::api {
namespace {

TEST(HttpWireTest, KeepAliveHttp11Response) {
  HttpResponse r = HttpResponse::Text("abc.json");
  r.headers["X-Extra"] = "1";
  EXPECT_EQ(SerializeResponse(r, {11, true, false}),
            "HTTP/1.1 200 OK\r\nX-Extra: 1\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 8\r\n\r\nabc.json");
}

TEST(HttpWireTest, ConnectionHeaderFollowsVersionAndKeepAlive) {
  const HttpResponse r = HttpResponse::Json(Json::object(), 404);
  const std::string close11 = SerializeResponse(r, {11, false, false});
  EXPECT_EQ(close11.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u) << close11;
  EXPECT_NE(close11.find("\r\nConnection: close\r\n"), std::string::npos) << close11;
  const std::string keep10 = SerializeResponse(r, {10, true, false});
  EXPECT_EQ(keep10.rfind("HTTP/1.0 404 Not Found\r\n", 0), 0u) << keep10;
  EXPECT_NE(keep10.find("\r\nConnection: keep-alive\r\n"), std::string::npos) << keep10;
  EXPECT_EQ(SerializeResponse(r, {10, false, false}).find("Connection"), std::string::npos);
  EXPECT_EQ(SerializeResponse(r, {11, true, false}).find("Connection"), std::string::npos);
}

TEST(HttpWireTest, ServerOwnsFramingHeaders) {
  HttpResponse r = HttpResponse::Text("12345", 421);
  r.headers["content-length"] = "99";
  r.headers["Connection"] = "close";
  r.headers["Content-Type"] = "text/html";
  const std::string bytes = SerializeResponse(r, {11, false, false});
  EXPECT_EQ(bytes,
            "HTTP/1.1 421 Misdirected Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 5\r\nConnection: close\r\n\r\n12345");
  // Without content_type the handler's Content-Type stands.
  r.content_type.clear();
  EXPECT_NE(SerializeResponse(r, {11, true, false}).find("Content-Type: text/html\r\n"),
            std::string::npos);
}

TEST(HttpWireTest, HeadAndBodilessStatuses) {
  const HttpResponse r = HttpResponse::Text("hello");
  const std::string head = SerializeResponse(r, {11, true, true});
  EXPECT_NE(head.find("Content-Length: 5\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n") << "HEAD sends no body";
  HttpResponse none;
  none.status = 204;
  none.content_type.clear();
  EXPECT_EQ(SerializeResponse(none, {11, true, false}), "HTTP/1.1 204 No Content\r\n\r\n");
}

TEST(HttpWireTest, HeaderValuesCannotAddHeaders) {
  HttpResponse r = HttpResponse::Text("");
  r.headers["X-Name"] = "a\r\nSet-Cookie: x";
  const std::string bytes = SerializeResponse(r, {11, true, false});
  EXPECT_NE(bytes.find("X-Name: a  Set-Cookie: x\r\n"), std::string::npos) << bytes;
  EXPECT_EQ(bytes.find("\nSet-Cookie"), std::string::npos) << bytes;
}

TEST(HttpWireTest, UnknownStatusAndLowerCase) {
  EXPECT_EQ(ReasonPhrase(299), "Unknown");
  EXPECT_EQ(ReasonPhrase(413), "Payload Too Large");
  EXPECT_EQ(AsciiLower("X-Api-KEY_9\xC3\x89"), "x-api-key_9\xC3\x89");
}

}  // namespace
}  // namespace tinyloop::api

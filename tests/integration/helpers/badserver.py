"""badserver.py - an HTTP server that answers the way broken model servers
do, for the bad-input catalogue. The first path component picks the
misbehaviour; it prints "port N" once listening on 127.0.0.1."""
import http.server
import json
import socketserver
import sys
import time

GOOD_CALL = {
    "id": "c1", "object": "chat.completion", "created": 0, "model": "x",
    "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
        "role": "assistant", "content": "",
        "tool_calls": [{"id": "call_1", "type": "function", "function": {
            "name": "read_file", "arguments": "{\"path\": \"config.txt\""}}]}}],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1}}
ANSWER = {
    "id": "c2", "object": "chat.completion", "created": 0, "model": "x",
    "choices": [{"index": 0, "finish_reason": "stop", "message": {
        "role": "assistant", "content": "beta is 2"}}],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1}}


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, code, ctype, body, length=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        req = json.loads(self.rfile.read(n) or b"{}")
        mode = self.path.strip("/").split("/")[0]
        try:
            self.answer(mode, req)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def answer(self, mode, req):
        if mode == "html":  # wrong content type: an HTML error page
            self.send(200, "text/html", b"<html><body>502 Bad Gateway</body></html>")
        elif mode == "cut":  # body cut mid-JSON: fewer bytes than declared
            body = json.dumps(ANSWER).encode()
            self.send(200, "application/json", body[: len(body) // 2], length=len(body))
            self.close_connection = True
        elif mode == "halfjson":  # a complete response that is not all JSON
            self.send(200, "application/json", json.dumps(ANSWER).encode()[:40])
        elif mode == "huge":  # declares 2 GB and keeps sending
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(2 * 1024 ** 3))
            self.end_headers()
            chunk = b" " * 65536
            for _ in range(2 * 1024 ** 3 // 65536):
                self.wfile.write(chunk)
            self.close_connection = True
        elif mode == "never":  # an SSE stream that never ends
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            while True:
                self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
                time.sleep(0.05)
        elif mode == "bigevent":  # one SSE event over any sane cap
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            self.wfile.write(b"data: " + b"x" * (32 * 1024 * 1024))
            self.wfile.flush()
            self.close_connection = True
        elif mode == "empty":
            self.send(200, "application/json", b"")
        elif mode == "badargs":  # a tool call whose arguments are not JSON
            turns = sum(1 for m in req.get("messages", []) if m.get("role") == "assistant")
            self.send(200, "application/json",
                      json.dumps(GOOD_CALL if turns == 0 else ANSWER).encode())
        else:
            self.send(404, "application/json", b'{"error": {"message": "no such mode"}}')


class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


s = S(("127.0.0.1", 0), H)
print("port", s.server_address[1], flush=True)
s.serve_forever()

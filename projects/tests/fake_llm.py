"""A local stand-in for the OpenAI and Anthropic HTTP APIs (127.0.0.1 only, never the internet)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeLLMServer:
    """Answers every POST with the queued (status, body, delay) and records the requests."""

    def __init__(self):
        self.responses: list[tuple[int, dict, float]] = []
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                status, payload, delay = (
                    server.responses.pop(0)
                    if server.responses
                    else (
                        500,
                        {"error": {"message": "no response queued"}},
                        0,
                    )
                )
                if delay:
                    time.sleep(delay)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def queue(self, status: int, payload: dict, delay: float = 0.0) -> None:
        self.responses.append((status, payload, delay))

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def openai_reply(text: str, tokens_in: int = 1200, tokens_out: int = 3400) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": tokens_in,
            "completion_tokens": tokens_out,
            "total_tokens": tokens_in + tokens_out,
        },
    }


def anthropic_reply(text: str, tokens_in: int = 1000, tokens_out: int = 2000) -> dict:
    return {
        "id": "msg_test",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-5",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": tokens_in, "output_tokens": tokens_out},
    }


PROJECT_JSON = json.dumps(
    {
        "architecture": "One module and its test",
        "files": [
            {"path": "hello/__init__.py", "content": "def greet(name):\n    return f'hi {name}'\n"},
            {
                "path": "tests/test_hello.py",
                "content": "from hello import greet\n\n\ndef test_greet():\n    assert greet('a') == 'hi a'\n",
            },
            {"path": "README.md", "content": "# Hello\n"},
        ],
    }
)

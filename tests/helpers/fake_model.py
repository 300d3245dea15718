"""An OpenAI-compatible chat-completions server on loopback that answers from a script and
records every request."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeModel:
    """An OpenAI-compatible endpoint on 127.0.0.1 answering from a script: for each question (matched
    by a substring of the last user message), the replies to give, in order."""

    def __init__(self) -> None:
        self.script: dict[str, list[str]] = {}
        self.requests: list[dict[str, Any]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
                asked = [m["content"] for m in reversed(body["messages"]) if m["role"] == "user"]
                key = next((k for a in asked for k in owner.script if k in a), None)
                replies = owner.script.get(key or "", ["```cypher\nMATCH (n) RETURN count(n)\n```"])
                reply = replies.pop(0) if len(replies) > 1 else replies[0]
                data = json.dumps(
                    {
                        "id": "x",
                        "object": "chat.completion",
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": reply},
                                "finish_reason": "stop",
                            }
                        ],
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()

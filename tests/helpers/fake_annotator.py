"""An OpenAI-compatible endpoint on loopback that answers the model annotator's requests from a
script, counts every call, reports token usage, and can be slow or rate-limit on purpose."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PROMPT_TOKENS, COMPLETION_TOKENS = 100, 10
DEFAULTS = {
    "task": '{"concept": "summarization", "confidence": 0.9}',
    "topic": '{"concepts": [], "confidence": 0.5}',
    "safety": '{"concepts": [], "confidence": 0.9}',
    "title": '{"title": "Recipes", "description": "Dishes and how to cook them."}',
}
TRUNCATED = "<truncated>"  # a scripted reply that comes back cut off at the length limit


def dimension_of(system: str) -> str:
    if "Which task" in system:
        return "task"
    if "What subject" in system:
        return "topic"
    if "Name the topic" in system:
        return "title"
    return "safety"


class FakeAnnotator:
    """`script[(marker, dimension)]`: the replies, in order, to a request whose example contains
    `marker` (the last one repeats). `rate_limited`: the first N requests get 429."""

    def __init__(self, *, delay_s: float = 0.0, rate_limited: int = 0) -> None:
        self.script: dict[tuple[str, str], list[str]] = {}
        self.calls: list[tuple[str, str]] = []  # (dimension, example text) of every answered call
        self.refused = 0
        self.delay_s = delay_s
        self._rate_limited = rate_limited
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with owner._lock:
                    limited = owner._rate_limited > 0
                    if limited:
                        owner._rate_limited -= 1
                        owner.refused += 1
                if limited:
                    self.send_response(429)
                    self.send_header("Retry-After", "0")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if owner.delay_s:
                    time.sleep(owner.delay_s)
                messages = body["messages"]
                dim = dimension_of(messages[0]["content"])
                example = messages[1]["content"]
                with owner._lock:
                    owner.calls.append((dim, example))
                    key = next((k for k in owner.script if k[1] == dim and k[0] in example), None)
                    replies = owner.script.get(key) if key else None
                    reply = (replies.pop(0) if len(replies) > 1 else replies[0]) if replies else DEFAULTS[dim]
                truncated = reply == TRUNCATED
                data = json.dumps(
                    {
                        "id": "x",
                        "object": "chat.completion",
                        "choices": [
                            {
                                "index": 0,
                                "message": {
                                    "role": "assistant",
                                    "content": '{"concept": "summ' if truncated else reply,
                                },
                                "finish_reason": "length" if truncated else "stop",
                            }
                        ],
                        "usage": {"prompt_tokens": PROMPT_TOKENS, "completion_tokens": COMPLETION_TOKENS},
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

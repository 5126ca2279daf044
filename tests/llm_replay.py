"""An OpenAI-compatible /chat/completions endpoint on loopback that answers from a list:
for the LLM planner, the LLM proofreader, and any other client of nemo_skill.llm."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from nemo_skill.llm import LLMSettings


class ReplayLLM:
    def __init__(self) -> None:
        # each: a message dict, a function of the request giving one, "garbage", "slow" or "500"
        self.answers: list = []
        self.requests: list[dict] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                owner.requests.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                answer = owner.answers.pop(0) if owner.answers else {"content": "nothing"}
                if callable(answer):
                    answer = answer(owner.requests[-1])
                if answer == "slow":
                    time.sleep(1.5)
                    answer = {"content": "late"}
                if answer == "500":
                    self.send_response(500)
                    self.end_headers()
                    return
                body = b"not json" if answer == "garbage" else json.dumps(
                    {"choices": [{"message": {"role": "assistant", **answer}}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.settings = LLMSettings(f"http://127.0.0.1:{self.server.server_address[1]}/v1", "test-model", "sk-x")
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

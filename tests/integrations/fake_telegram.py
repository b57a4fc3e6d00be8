"""A fake Telegram Bot API server: real HTTP on 127.0.0.1, real paths and error shapes.

``POST /bot<token>/<method>`` with form or multipart bodies (as python-telegram-bot sends
them). Answers ``{"ok": true, "result": ...}`` or the error documents Telegram sends:
401 Unauthorized, 400 "Bad Request: chat not found", 403 "Forbidden: bot was blocked by
the user", 429 with ``parameters.retry_after``. It checks what Telegram checks that our
code could get wrong (caption/text length after entity parsing, HTML markup) and records
every request so tests can assert captions, keyboards and uploaded bytes.
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import html
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "IVR", "username": "ivr_test_bot"}
_ALLOWED_TAG = re.compile(
    r"</?(b|strong|i|em|u|ins|s|strike|del|code|pre|a|tg-spoiler)(\s[^<>]*)?>"
)
_BAD_AMP = re.compile(r"&(?!(amp|lt|gt|quot|#\d+|#x[0-9a-fA-F]+);)")
_LIMITS = {"caption": 1024, "text": 4096}


@dataclass
class Received:
    method: str
    token: str
    fields: dict[str, str]
    files: dict[str, tuple[str | None, bytes]] = field(default_factory=dict)

    @property
    def reply_markup(self) -> Any:
        raw = self.fields.get("reply_markup")
        return json.loads(raw) if raw else None


def visible_text(markup: str) -> str:
    """The text Telegram would show (tags removed, entities decoded), or raise ValueError."""
    if _BAD_AMP.search(markup):
        raise ValueError("Bad Request: can't parse entities: unsupported entity")
    stripped = _ALLOWED_TAG.sub("", markup)
    if "<" in stripped or ">" in stripped:
        raise ValueError("Bad Request: can't parse entities: unsupported start tag")
    return html.unescape(stripped)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class FakeTelegram:
    """State shared with the handler; tests configure it and read ``received``."""

    def __init__(self, token: str) -> None:
        self.tokens = {token}
        self.chats: dict[int, str] = {}  # chat id -> "ok" | "blocked"
        self.received: list[Received] = []
        self.scripted: list[tuple[int, dict[str, Any]]] = []  # forced answers, in order
        self.delay = 0.0
        self.lock = threading.Lock()
        self._next_id = 100

    def fail_next(self, status: int, description: str, **parameters: Any) -> None:
        doc: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            doc["parameters"] = parameters
        self.scripted.append((status, doc))

    def calls(self, method: str) -> list[Received]:
        return [r for r in self.received if r.method == method]

    def answer(self, received: Received) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.received.append(received)
            if received.token not in self.tokens:
                return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            if self.scripted:
                return self.scripted.pop(0)
            if received.method == "getMe":
                return 200, {"ok": True, "result": BOT_USER}
            return self._send(received)

    def _send(self, received: Received) -> tuple[int, dict[str, Any]]:
        def bad(description: str, status: int = 400) -> tuple[int, dict[str, Any]]:
            return status, {"ok": False, "error_code": status, "description": description}

        try:
            chat_id = int(received.fields.get("chat_id", ""))
        except ValueError:
            return bad("Bad Request: chat_id is empty")
        state = self.chats.get(chat_id)
        if state is None:
            return bad("Bad Request: chat not found")
        if state == "blocked":
            return bad("Forbidden: bot was blocked by the user", 403)
        result: dict[str, Any] = {
            "message_id": self._next_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
        }
        self._next_id += 1
        for name, limit in _LIMITS.items():
            if name in received.fields:
                markup = received.fields[name]
                try:
                    shown = (
                        visible_text(markup)
                        if received.fields.get("parse_mode") == "HTML"
                        else markup
                    )
                except ValueError as exc:
                    return bad(str(exc))
                if utf16_len(shown) > limit:
                    return bad(f"Bad Request: message {name} is too long")
                result[name] = shown
        if received.method == "sendVoice":
            _, data = received.files.get("voice", (None, b""))
            if not data.startswith(b"OggS"):
                return bad("Bad Request: wrong type of the web page content")
            result["voice"] = {"file_id": "v1", "file_unique_id": "u1", "duration": 1}
        elif received.method == "sendDocument":
            filename, data = received.files.get("document", (None, b""))
            if not data:
                return bad("Bad Request: there is no document in the request")
            result["document"] = {"file_id": "d1", "file_unique_id": "u2", "file_name": filename}
        elif received.method != "sendMessage":
            return bad("Not Found: method not found", 404)
        return 200, {"ok": True, "result": result}


def _parse_body(
    content_type: str, body: bytes
) -> tuple[dict[str, str], dict[str, tuple[str | None, bytes]]]:
    if content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        fields: dict[str, str] = {}
        files: dict[str, tuple[str | None, bytes]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            if part.get_filename() is not None:
                files[str(name)] = (part.get_filename(), payload)
            else:
                fields[str(name)] = payload.decode()
        return fields, files
    if content_type.startswith("application/json"):
        return {
            k: v if isinstance(v, str) else json.dumps(v)
            for k, v in json.loads(body or b"{}").items()
        }, {}
    return dict(parse_qsl(body.decode(), keep_blank_values=True)), {}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def _handle(self) -> None:
        match = re.fullmatch(r"/bot([^/]+)/(\w+)", self.path.split("?", 1)[0])
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if not match:
            status, doc = 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        else:
            fields, files = _parse_body(self.headers.get("Content-Type", ""), body)
            fake = self.server.fake
            if fake.delay:
                time.sleep(fake.delay)
            status, doc = fake.answer(Received(match.group(2), match.group(1), fields, files))
        data = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        # The client may have given up already (timeout tests); nothing to tell it then.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)

    do_GET = _handle
    do_POST = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeTelegram


class FakeTelegramServer:
    """Runs :class:`FakeTelegram` in a thread; use as a context manager."""

    def __init__(self, token: str) -> None:
        self.fake = FakeTelegram(token)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self.fake
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = str(self._server.server_address[0]), self._server.server_address[1]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeTelegramServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

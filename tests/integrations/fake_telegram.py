"""A fake Telegram Bot API server: real HTTP on 127.0.0.1, real paths and error shapes.

``POST /bot<token>/<method>`` with form or multipart bodies (as python-telegram-bot sends
them). Answers ``{"ok": true, "result": ...}`` or the error documents Telegram sends:
401 Unauthorized, 400 "Bad Request: chat not found", 403 "Forbidden: bot was blocked by
the user", 429 with ``parameters.retry_after``. It checks what Telegram checks that our
code could get wrong (caption/text length after entity parsing, HTML markup, an HTTPS
webhook URL on an allowed port, editing a message that does not exist or would not
change, editing the caption of a text message; an edit without ``reply_markup`` drops
the keyboard) and records every request so tests can assert captions, keyboards and uploaded
bytes. Webhooks (setWebhook, deleteWebhook, getWebhookInfo) are kept per token; sent
messages are kept per chat so button presses can edit them.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from werkzeug.formparser import parse_form_data

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "IVR", "username": "ivr_test_bot"}
_ALLOWED_TAG = re.compile(
    r"</?(b|strong|i|em|u|ins|s|strike|del|code|pre|a|tg-spoiler)(\s[^<>]*)?>"
)
_BAD_AMP = re.compile(r"&(?!(amp|lt|gt|quot|#\d+|#x[0-9a-fA-F]+);)")
_LIMITS = {"caption": 1024, "text": 4096}
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_WEBHOOK_PORTS = (80, 88, 443, 8443)
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup"
    " are exactly the same as a current content and reply markup of the message"
)
_SENDS = ("sendMessage", "sendVoice", "sendDocument")


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
        self.webhooks: dict[str, dict[str, Any]] = {}  # token -> setWebhook fields
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}  # (chat, message id)
        self.usernames: dict[str, str] = {}  # token -> bot username (else BOT_USER's)

    def add_bot(self, token: str, username: str) -> None:
        """Another bot Telegram knows (``getMe`` answers with its username)."""
        self.tokens.add(token)
        self.usernames[token] = username

    def fail_next(self, status: int, description: str, **parameters: Any) -> None:
        doc: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            doc["parameters"] = parameters
        self.scripted.append((status, doc))

    def calls(self, method: str) -> list[Received]:
        return [r for r in self.received if r.method == method]

    def add_message(self, chat_id: int, reply_markup: Any = None, **fields: Any) -> int:
        """A message the bot sent earlier (for button presses built by a test)."""
        with self.lock:
            message_id = self._next_id
            self._next_id += 1
            self.messages[(chat_id, message_id)] = {"reply_markup": reply_markup, **fields}
            return message_id

    def answer(self, received: Received) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.received.append(received)
            if received.token not in self.tokens:
                return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            if self.scripted:
                return self.scripted.pop(0)
            if received.method == "getMe":
                username = self.usernames.get(received.token, BOT_USER["username"])
                return 200, {"ok": True, "result": {**BOT_USER, "username": username}}
            if received.method in _SENDS:
                return self._send(received)
            handlers = {
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "answerCallbackQuery": self._answer_callback_query,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "editMessageCaption": self._edit_message_caption,
                "editMessageText": self._edit_message_text,
            }
            handler = handlers.get(received.method)
            if handler is None:
                return _bad("Not Found: method not found", 404)
            return handler(received)

    def _set_webhook(self, received: Received) -> tuple[int, dict[str, Any]]:
        url = received.fields.get("url", "")
        if not url:
            return self._delete_webhook(received)
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            return _bad("Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        if (parts.port or 443) not in _WEBHOOK_PORTS:
            return _bad(
                "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
            )
        secret = received.fields.get("secret_token")
        if secret is not None and not _SECRET_TOKEN.match(secret):
            return _bad("Bad Request: secret token contains unallowed characters")
        allowed = received.fields.get("allowed_updates")
        self.webhooks[received.token] = {
            "url": url,
            "secret_token": secret,
            "allowed_updates": json.loads(allowed) if allowed else None,
        }
        return 200, {"ok": True, "result": True, "description": "Webhook was set"}

    def _delete_webhook(self, received: Received) -> tuple[int, dict[str, Any]]:
        existed = self.webhooks.pop(received.token, None) is not None
        description = "Webhook was deleted" if existed else "Webhook is already deleted"
        return 200, {"ok": True, "result": True, "description": description}

    def _get_webhook_info(self, received: Received) -> tuple[int, dict[str, Any]]:
        hook = self.webhooks.get(received.token)
        info: dict[str, Any] = {"url": "", "has_custom_certificate": False}
        info["pending_update_count"] = 0
        if hook is not None:
            info["url"] = hook["url"]
            info["max_connections"] = 40
            info["pending_update_count"] = hook.get("pending_update_count", 0)
            if hook["allowed_updates"] is not None:
                info["allowed_updates"] = hook["allowed_updates"]
            # A test sets these to play Telegram failing to reach the webhook.
            for key in ("last_error_date", "last_error_message"):
                if key in hook:
                    info[key] = hook[key]
        return 200, {"ok": True, "result": info}

    def _answer_callback_query(self, received: Received) -> tuple[int, dict[str, Any]]:
        if not received.fields.get("callback_query_id"):
            return _bad(
                "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        if utf16_len(received.fields.get("text", "")) > 200:
            return _bad("Bad Request: MESSAGE_TOO_LONG")
        return 200, {"ok": True, "result": True}

    def _edit(
        self, received: Received, changes: dict[str, Any], content: str | None = None
    ) -> tuple[int, dict[str, Any]]:
        try:
            chat_id = int(received.fields.get("chat_id", ""))
            message_id = int(received.fields.get("message_id", ""))
        except ValueError:
            return _bad("Bad Request: message identifier is not specified")
        if self.chats.get(chat_id) is None:
            return _bad("Bad Request: chat not found")
        if self.chats[chat_id] == "blocked":
            return _bad("Forbidden: bot was blocked by the user", 403)
        message = self.messages.get((chat_id, message_id))
        if message is None:
            return _bad("Bad Request: message to edit not found")
        if content == "caption" and message.get("caption") is None and message.get("text"):
            return _bad("Bad Request: there is no caption in the message to edit")
        if content == "text" and message.get("text") is None:
            return _bad("Bad Request: there is no text in the message to edit")
        if all(message.get(key) == value for key, value in changes.items()):
            return _bad(_NOT_MODIFIED)
        message.update(changes)
        result: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "edit_date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
        }
        for name in ("caption", "text"):
            if message.get(name) is not None:
                result[name] = message[name]
        if message.get("reply_markup"):
            result["reply_markup"] = message["reply_markup"]
        return 200, {"ok": True, "result": result}

    def _edit_message_reply_markup(self, received: Received) -> tuple[int, dict[str, Any]]:
        return self._edit(received, {"reply_markup": received.reply_markup})

    def _edit_message_caption(self, received: Received) -> tuple[int, dict[str, Any]]:
        caption = received.fields.get("caption", "")
        try:
            shown = (
                visible_text(caption) if received.fields.get("parse_mode") == "HTML" else caption
            )
        except ValueError as exc:
            return _bad(str(exc))
        if utf16_len(shown) > _LIMITS["caption"]:
            return _bad("Bad Request: message caption is too long")
        changes: dict[str, Any] = {"caption": shown}
        # Like Telegram: an edit without reply_markup removes the keyboard.
        changes["reply_markup"] = received.reply_markup
        return self._edit(received, changes, "caption")

    def _edit_message_text(self, received: Received) -> tuple[int, dict[str, Any]]:
        markup = received.fields.get("text", "")
        try:
            shown = visible_text(markup) if received.fields.get("parse_mode") == "HTML" else markup
        except ValueError as exc:
            return _bad(str(exc))
        if utf16_len(shown) > _LIMITS["text"]:
            return _bad("Bad Request: message text is too long")
        changes = {"text": shown, "reply_markup": received.reply_markup}
        return self._edit(received, changes, "text")

    def _send(self, received: Received) -> tuple[int, dict[str, Any]]:
        bad = _bad
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
        self.messages[(chat_id, result["message_id"])] = {
            "reply_markup": received.reply_markup,
            "caption": result.get("caption"),
            "text": result.get("text"),
        }
        if received.reply_markup:
            result["reply_markup"] = received.reply_markup
        return 200, {"ok": True, "result": result}


def _bad(description: str, status: int = 400) -> tuple[int, dict[str, Any]]:
    return status, {"ok": False, "error_code": status, "description": description}


def _in_memory(*_args: Any, **_kwargs: Any) -> io.BytesIO:
    """Keep uploads in memory (Werkzeug spools big ones to temporary files)."""
    return io.BytesIO()


def _parse_body(
    content_type: str, body: bytes
) -> tuple[dict[str, str], dict[str, tuple[str | None, bytes]]]:
    if content_type.startswith("multipart/form-data"):
        # Werkzeug's parser (Flask's): the email package's took 1.6 ms of CPU per upload,
        # 0.17 ms here, which counts where the fake shares CPUs with what it measures
        # (bench/outbox.py). A part with a file name is a file, the rest are fields.
        environ = {
            "REQUEST_METHOD": "POST",
            "CONTENT_TYPE": content_type,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
        }
        _, form, uploads = parse_form_data(environ, silent=False, stream_factory=_in_memory)
        files = {name: (upload.filename, upload.read()) for name, upload in uploads.items()}
        return dict(form), files
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
            fake = self.server.fake
            try:
                fields, files = _parse_body(self.headers.get("Content-Type", ""), body)
            except ValueError as exc:  # a broken upload: Telegram refuses it, as do we
                status, doc = _bad(f"Bad Request: can't parse the request body ({exc})")
            else:
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


class _KeepAliveHandler(_Handler):
    """HTTP/1.1: the connection stays open between requests, as the real Bot API's."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeTelegram

    def __init__(self, handler: type[_Handler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.connections = 0  # accepted so far
        self.open: set[Any] = set()  # sockets of connections not yet closed
        self.open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.open_lock:
            self.connections += 1
            self.open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.open_lock:
            self.open.discard(request)
        super().shutdown_request(request)


class FakeTelegramServer:
    """Runs :class:`FakeTelegram` in a thread; use as a context manager.

    ``keep_alive`` answers in HTTP/1.1 and keeps connections open between requests
    (Telegram does); otherwise each answer closes its connection (HTTP/1.0).
    """

    def __init__(self, token: str, *, keep_alive: bool = False) -> None:
        self.fake = FakeTelegram(token)
        self._server = _Server(_KeepAliveHandler if keep_alive else _Handler)
        self._server.fake = self.fake
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = str(self._server.server_address[0]), self._server.server_address[1]
        return f"http://{host}:{port}"

    @property
    def connections(self) -> int:
        """Connections accepted so far."""
        return self._server.connections

    def drop_connections(self) -> None:
        """Close every open connection, as a server does with idle keep-alive ones."""
        with self._server.open_lock:
            for sock in list(self._server.open):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> FakeTelegramServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

"""A small WebDriver BiDi client for Debian's Firefox ESR: no driver binary and no
browser download. Firefox listens on ``ws://127.0.0.1:<port>/session`` when started
with ``--remote-debugging-port``; commands and events are JSON messages on that socket."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from websockets.exceptions import WebSocketException
from websockets.sync.client import ClientConnection, connect

FIREFOX = "/usr/bin/firefox-esr"

# Quiet, offline-friendly prefs; BiDi (1) is the only remote protocol we speak.
PREFS: dict[str, object] = {
    "remote.active-protocols": 1,
    "remote.enabled": True,
    "intl.accept_languages": "en-GB",
    "intl.locale.requested": "en-GB",
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.aboutwelcome.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "app.update.disabledForTesting": True,
    "browser.safebrowsing.update.enabled": False,
    "extensions.update.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "media.autoplay.default": 0,
}


class BiDiError(RuntimeError):
    """The browser answered a command with an error, or did not answer in time."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class BiDi:
    """One BiDi session: ``command`` sends and waits for its answer; events that arrive
    meanwhile are kept in ``events`` (method, params) in order of arrival."""

    def __init__(self, socket_: ClientConnection, timeout: float = 15.0) -> None:
        self.ws = socket_
        self.timeout = timeout
        self.events: list[tuple[str, dict[str, Any]]] = []
        self._ids = itertools.count(1)

    def command(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        ident = next(self._ids)
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params or {}}))
        deadline = time.monotonic() + self.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BiDiError(f"{method}: no answer within {self.timeout} s")
            try:
                raw = self.ws.recv(timeout=left)
            except TimeoutError:
                continue
            message = json.loads(raw)
            if message.get("type") == "event":
                self.events.append((message["method"], message["params"]))
            elif message.get("id") == ident:
                if message.get("type") == "error":
                    raise BiDiError(f"{method}: {message['error']}: {message.get('message')}")
                result: dict[str, Any] = message["result"]
                return result

    def pump(self, seconds: float) -> None:
        """Collect events for ``seconds`` without sending anything."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = json.loads(self.ws.recv(timeout=left))
            except TimeoutError:
                return
            if message.get("type") == "event":
                self.events.append((message["method"], message["params"]))

    def evaluate(self, context: str, expression: str) -> Any:
        """The value of ``expression`` (awaited when it is a promise) in the page of
        ``context``; a primitive, or ``None`` for undefined/null. Page exceptions raise."""
        answer = self.command(
            "script.evaluate",
            {
                "expression": expression,
                "target": {"context": context},
                "awaitPromise": True,
                "userActivation": True,
            },
        )
        if answer["type"] == "exception":
            details = answer["exceptionDetails"]
            raise BiDiError(f"page exception: {details.get('text')}")
        value = answer["result"]
        return value.get("value")

    def wait_for(self, context: str, expression: str, timeout: float = 15.0) -> Any:
        """Evaluate ``expression`` until it is truthy and return that value; an
        ``AssertionError`` naming the expression when it never is."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(context, expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"still falsy after {timeout} s ({value!r}): {expression}")
            self.pump(0.1)

    def log_entries(self, level: str) -> list[dict[str, Any]]:
        return [p for m, p in self.events if m == "log.entryAdded" and p.get("level") == level]


@contextmanager
def firefox(binary: str = FIREFOX, startup_timeout: float = 30.0) -> Iterator[BiDi]:
    """A headless Firefox on a fresh profile with one BiDi session open on it."""
    profile = Path(tempfile.mkdtemp(prefix="ivr-editor-firefox-"))
    (profile / "user.js").write_text(
        "".join(f'user_pref("{k}", {json.dumps(v)});\n' for k, v in PREFS.items())
    )
    port = _free_port()
    log = (profile.parent / f"{profile.name}.log").open("wb")
    process = subprocess.Popen(
        [
            binary,
            "--headless",
            "--no-remote",
            "--profile",
            str(profile),
            "--remote-debugging-port",
            str(port),
            "about:blank",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "MOZ_CRASHREPORTER_DISABLE": "1"},
        start_new_session=True,
    )
    try:
        with _connect(f"ws://127.0.0.1:{port}/session", process, startup_timeout) as ws:
            client = BiDi(ws)
            client.command("session.new", {"capabilities": {}})
            yield client
            client.command("session.end")
    finally:
        _stop(process)
        log.close()
        shutil.rmtree(profile, ignore_errors=True)
        Path(log.name).unlink(missing_ok=True)


def _connect(url: str, process: subprocess.Popen[bytes], timeout: float) -> ClientConnection:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise BiDiError(f"firefox exited with {process.returncode} before BiDi listened")
        try:
            return connect(url, open_timeout=5, max_size=None)
        except (OSError, WebSocketException) as error:
            if time.monotonic() > deadline:
                raise BiDiError(f"no BiDi server at {url} after {timeout} s: {error}") from error
            time.sleep(0.2)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End the browser we started (its own process group: content processes too)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

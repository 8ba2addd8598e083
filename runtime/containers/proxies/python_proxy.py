"""Action-runtime proxy for `python:3`: OpenWhisk's container protocol over HTTP on a
Unix domain socket, so the container can live in a private network namespace.

Mirrors the contract of `openwhisk-runtime-python` (the actionloop proxy of
`openwhisk-runtime-go` plus its Python launcher); differences: one Python process
serves HTTP itself (no Go proxy, no fd-3 pipe), listens on the socket path given as
the first argument instead of TCP 8080, runs `async def main` coroutines, and archive
(`binary`) code must be a zip holding `__main__.py` (no virtualenv, no `exec`
launcher); it is extracted with the `zipfile` module into a fresh directory under the
working directory. Standard library only.

Usage: `python3 -u python_proxy.py /path/to/socket` (env `__OW_ALLOW_CONCURRENT=true`
lets several `/run` calls overlap).
"""

import asyncio
import base64
import binascii
import http.server
import inspect
import json
import os
import socketserver
import sys
import tempfile
import threading
import traceback
import zipfile
from urllib.parse import urlsplit

SENTINEL = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX"


def write_sentinels():
    """Prints the end-of-activation marker on both streams, after the action's output."""
    sys.stdout.write(SENTINEL + "\n")
    sys.stdout.flush()
    sys.stderr.write(SENTINEL + "\n")
    sys.stderr.flush()


ZIP_MAGIC = b"PK\x03\x04"


def extract_zip(encoded):
    """Extracts a base64 zip into a fresh directory under the working directory,
    moves there and returns the directory."""
    try:
        data = base64.b64decode(encoded)
    except binascii.Error as ex:
        raise ValueError("The action archive is not valid base64: %s" % ex) from ex
    if not data.startswith(ZIP_MAGIC):
        raise ValueError("The action archive is not a zip file (it must start with PK\\x03\\x04).")
    folder = tempfile.mkdtemp(prefix="action-", dir=os.getcwd())
    archive = os.path.join(folder, ".action.zip")
    with open(archive, "wb") as out:
        out.write(data)
    try:
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(folder)
    finally:
        os.remove(archive)
    os.chdir(folder)
    return folder


def load_source(code, filename, scope):
    """Runs action source in `scope` (a fresh module namespace)."""
    exec(compile(code, filename, "exec"), scope)
    return scope


def load_archive(encoded):
    """Extracts a zip action and runs its `__main__.py`; returns the module scope."""
    folder = extract_zip(encoded)
    entry = os.path.join(folder, "__main__.py")
    if not os.path.isfile(entry):
        raise FileNotFoundError("The action archive has no __main__.py.")
    sys.path.insert(0, folder)
    with open(entry, encoding="utf-8") as source:
        code = source.read()
    return load_source(code, entry, {"__name__": "__action__", "__file__": entry})


class Service:
    """Protocol state machine: ready -> (initialized <-> running) | stopped."""

    def __init__(self, allow_concurrent):
        self.allow_concurrent = allow_concurrent
        self.status = "ready"
        self.action = None
        self.in_flight = 0
        self.lock = threading.Lock()

    def init(self, body):
        with self.lock:
            if self.status != "ready":
                return 403, {"error": "Cannot initialize the action more than once."}
            self.status = "starting"
        value = body.get("value") or {}
        main, code = value.get("main") or "main", value.get("code")
        if not isinstance(main, str) or not isinstance(code, str) or not code:
            self.status = "ready"
            return 403, {"error": "Missing main/no code to execute."}
        try:
            for key, v in (value.get("env") or {}).items():
                os.environ[key] = v if isinstance(v, str) else json.dumps(v)
            if value.get("binary"):
                scope = load_archive(code)
            else:
                scope = load_source(code, "action.py", {"__name__": "__action__"})
            fn = scope.get(main)
            if not callable(fn):
                raise TypeError("Action entrypoint '%s' is not a function." % main)
            self.action = fn
            self.status = "initialized"
            return 200, {"ok": True}
        except BaseException:  # noqa: B902 - any failure ends the container
            self.status = "stopped"
            write_sentinels()
            return 502, {"error": "Initialization has failed due to: " + traceback.format_exc()}

    def refusal(self):
        if self.status == "ready":
            return 403, {"error": "System not initialized."}
        if self.status == "initialized" or (self.status == "running" and self.allow_concurrent):
            return None
        return 403, {"error": "System not ready, status is %s." % self.status}

    def run(self, body):
        with self.lock:
            refused = self.refusal()
            if refused:
                return refused
            args = body.get("value", {})
            if not isinstance(args, (dict, list)):
                return 403, {
                    "error": "The argument must be a dictionary but has type '%s'."
                    % type(args).__name__
                }
            self.status = "running"
            self.in_flight += 1
        try:
            for key, v in body.items():
                if key != "value" and isinstance(v, str):
                    os.environ["__OW_" + key.upper()] = v
            return self.invoke(args)
        finally:
            with self.lock:
                self.in_flight -= 1
                if self.status == "running" and self.in_flight == 0:
                    self.status = "initialized"
            write_sentinels()

    def invoke(self, args):
        try:
            result = self.action(args)
            if inspect.isawaitable(result):
                result = asyncio.run(_await(result))
        except Exception as ex:  # the action's own failure
            traceback.print_exc()
            self.status = "stopped"
            return 502, {"error": "An error has occurred: %s" % ex}
        if result is None:
            return 200, {}
        if not isinstance(result, (dict, list)):
            return 502, {"error": "The action did not return a dictionary or array."}
        return 200, result


async def _await(awaitable):
    return await awaitable


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    service = None

    def log_message(self, format, *args):  # noqa: A002 - keep action logs clean
        pass

    def address_string(self):
        return "unix"

    def do_POST(self):
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = urlsplit(self.path).path
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = None
        status, answer = 500, {"error": "Bad request."}
        if isinstance(body, dict) and path == "/init":
            status, answer = self.service.init(body)
        elif isinstance(body, dict) and path == "/run":
            status, answer = self.service.run(body)
        data = json.dumps(answer).encode("utf-8")
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def main():
    if len(sys.argv) < 2:
        sys.stderr.write("usage: python_proxy.py <socket path>\n")
        sys.exit(2)
    path = sys.argv[1]
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    Handler.service = Service(os.environ.get("__OW_ALLOW_CONCURRENT") == "true")
    Server(path, Handler).serve_forever()


if __name__ == "__main__":
    main()

"""Serving the exposition (part of :mod:`monitor.exposition`): content negotiation on one
endpoint, a WSGI app, an ASGI app and a standalone threaded HTTP server.

Negotiation: the ``Accept`` header's media types by their q-values; the Prometheus protobuf
(``application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily;
encoding=delimited``), OpenMetrics 1.0 (``application/openmetrics-text``, versions 1.0.0 and
0.0.1) and text 0.0.4 (``text/plain``). Anything else, or no header, gets the text format. A
``format=text|openmetrics|protobuf`` query parameter overrides the header (for a scrape job
that must read one format). The body is gzip-compressed when ``Accept-Encoding`` allows gzip.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from ..errors import InvalidArgumentError
from . import openmetrics, protobuf, text
from .families import REGISTRY, Registry

FORMATS = ("text", "openmetrics", "protobuf")


def _media_types(header: str) -> list[tuple[float, int, str, dict[str, str]]]:
    out = []
    for pos, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        mt = fields[0].lower()
        if not mt:
            continue
        params: dict[str, str] = {}
        for f in fields[1:]:
            k, _, v = f.partition("=")
            params[k.strip().lower()] = v.strip().strip('"')
        try:
            q = float(params.pop("q", "1"))
        except ValueError:
            q = 0.0
        if not 0 <= q <= 1:
            q = 0.0
        out.append((q, pos, mt, params))
    return out


def negotiate(accept: str | None) -> str:
    """The format (``text``, ``openmetrics`` or ``protobuf``) for an ``Accept`` header."""
    if not accept:
        return "text"
    best: tuple[float, int] | None = None
    choice = "text"
    for q, pos, mt, params in _media_types(accept):
        if q <= 0:
            continue
        fmt = None
        if mt == "application/vnd.google.protobuf":
            if (
                params.get("proto") == "io.prometheus.client.MetricFamily"
                and params.get("encoding", "delimited") == "delimited"
            ):
                fmt = "protobuf"
        elif mt == "application/openmetrics-text":
            if params.get("version", "1.0.0") in ("1.0.0", "0.0.1"):
                fmt = "openmetrics"
        elif mt == "text/plain":
            if params.get("version", "0.0.4") == "0.0.4":
                fmt = "text"
        if fmt is None:
            continue
        key = (q, -pos)
        if best is None or key > best:
            best, choice = key, fmt
    return choice


def accepts_gzip(accept_encoding: str | None) -> bool:
    for q, _, mt, _ in _media_types(accept_encoding or ""):
        if mt == "gzip" and q > 0:
            return True
    return False


def render(
    registry: Registry | None = None,
    accept: str | None = None,
    accept_encoding: str | None = None,
    query: str | None = None,
    *,
    export_scale: object = "auto",
) -> tuple[bytes, dict[str, str]]:
    """``(body, headers)`` of one scrape: the negotiated format of ``registry``'s families."""
    fmt = negotiate(accept)
    if query:
        asked = parse_qs(query).get("format")
        if asked:
            if asked[-1] not in FORMATS:
                raise InvalidArgumentError(f"format must be one of {FORMATS}, got {asked[-1]!r}")
            fmt = asked[-1]
    fams = (registry or REGISTRY).collect()
    if fmt == "protobuf":
        body = protobuf.render_protobuf(fams, export_scale)
        ctype = protobuf.CONTENT_TYPE
    elif fmt == "openmetrics":
        body = openmetrics.render_openmetrics(fams, export_scale).encode("utf-8")
        ctype = openmetrics.CONTENT_TYPE
    else:
        body = text.render_text(fams, export_scale).encode("utf-8")
        ctype = text.CONTENT_TYPE
    headers = {"Content-Type": ctype, "Vary": "Accept, Accept-Encoding"}
    if accepts_gzip(accept_encoding):
        body = gzip.compress(body, compresslevel=6, mtime=0)
        headers["Content-Encoding"] = "gzip"
    headers["Content-Length"] = str(len(body))
    return body, headers


def _respond(
    registry: Registry | None, accept: str | None, enc: str | None, query: str | None, export_scale: object
) -> tuple[str, list[tuple[str, str]], bytes]:
    try:
        body, headers = render(registry, accept, enc, query, export_scale=export_scale)
    except InvalidArgumentError as exc:
        msg = f"{exc}\n".encode()
        return "400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")], msg
    return "200 OK", list(headers.items()), body


def make_wsgi_app(
    registry: Registry | None = None, *, export_scale: object = "auto"
) -> Callable[..., Iterable[bytes]]:
    """A WSGI app serving ``registry`` (default :data:`REGISTRY`) on every path."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        status, headers, body = _respond(
            registry,
            environ.get("HTTP_ACCEPT"),
            environ.get("HTTP_ACCEPT_ENCODING"),
            environ.get("QUERY_STRING"),
            export_scale,
        )
        start_response(status, headers)
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else body]

    return app


def make_asgi_app(registry: Registry | None = None, *, export_scale: object = "auto") -> Callable[..., Any]:
    """An ASGI app serving ``registry`` (default :data:`REGISTRY`) on every path (HTTP and
    lifespan scopes)."""

    async def app(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] == "lifespan":
            while True:
                msg = await receive()
                if msg["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif msg["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        hdrs = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        qs = scope.get("query_string", b"").decode("latin-1")
        status, headers, body = _respond(
            registry, hdrs.get("accept"), hdrs.get("accept-encoding"), qs, export_scale
        )
        await send(
            {
                "type": "http.response.start",
                "status": int(status.split()[0]),
                "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
            }
        )
        await send({"type": "http.response.body", "body": b"" if scope.get("method") == "HEAD" else body})

    return app


class MetricsServer:
    """A running standalone server (:func:`start_http_server`): ``port``, ``address``,
    ``url``; :meth:`close` stops it (also as a context manager)."""

    def __init__(self, httpd: ThreadingHTTPServer, thread: threading.Thread) -> None:
        self._httpd = httpd
        self._thread = thread
        self.address = str(httpd.server_address[0])
        self.port = int(httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.address}:{self.port}/metrics"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> MetricsServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start_http_server(
    port: int,
    addr: str = "127.0.0.1",
    *,
    registry: Registry | None = None,
    export_scale: object = "auto",
) -> MetricsServer:
    """Serve ``registry`` (default :data:`REGISTRY`) at ``http://addr:port/metrics`` (every
    path answers) from a daemon thread; ``port=0`` picks a free port (see ``.port``)."""
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise InvalidArgumentError(f"port must be an int in 0..65535, got {port!r}")
    if not isinstance(addr, str) or not addr:
        raise InvalidArgumentError(f"addr must be a host address string, got {addr!r}")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self, head: bool) -> None:
            _, _, query = self.path.partition("?")
            status, headers, body = _respond(
                registry, self.headers.get("Accept"), self.headers.get("Accept-Encoding"), query, export_scale
            )
            self.send_response(int(status.split()[0]))
            for k, v in headers:
                self.send_header(k, v)
            if not any(k == "Content-Length" for k, _ in headers):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self._serve(False)

        def do_HEAD(self) -> None:  # noqa: N802
            self._serve(True)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer((addr, port), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, name="monitor-metrics", daemon=True)
    thread.start()
    return MetricsServer(httpd, thread)

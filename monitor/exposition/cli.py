"""The command-line parts of the exposition (part of :mod:`monitor.exposition`; wired into
``monitor`` by :mod:`monitor.__main__`): ``monitor rules to-prometheus`` and ``monitor demo
--serve``."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TextIO

from ..errors import InvalidArgumentError
from ..files import write_text_atomic
from .families import Registry
from .rules import rules_file_to_prometheus
from .serve import start_http_server


def parse_host_port(text: str) -> tuple[str, int]:
    """``"127.0.0.1:9464"`` -> ``("127.0.0.1", 9464)`` (``[::1]:9464`` for IPv6)."""
    host, sep, port = str(text).rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise InvalidArgumentError(f"expected HOST:PORT such as 127.0.0.1:9464, got {text!r}")
    return host, int(port)


def serve_while(
    where: str, run: Callable[[Callable[[Any], object]], int], out: TextIO, serve_for: float | None = None
) -> int:
    """Start a metrics server at ``where``, call ``run(register)`` (which registers its monitor
    with ``register``), then keep serving until interrupted (or ``serve_for`` seconds)."""
    host, port = parse_host_port(where)
    registry = Registry()
    with start_http_server(port, host, registry=registry) as srv:
        out.write(f"serving metrics at {srv.url}\n")
        out.flush()
        rc = run(registry.register)
        out.write(f"demo finished; still serving its metrics at {srv.url} (Ctrl-C to stop)\n")
        out.flush()
        deadline = None if serve_for is None else time.monotonic() + serve_for
        try:
            while deadline is None or time.monotonic() < deadline:
                time.sleep(0.2 if deadline is None else max(0.0, min(0.2, deadline - time.monotonic())))
        except KeyboardInterrupt:
            pass
    return rc


def rules_to_prometheus(
    path: str, output: str, group: str, interval: str | None, out: TextIO, err: TextIO
) -> int:
    """``monitor rules to-prometheus``: 0 on success, 2 with the error on ``err``."""
    try:
        text = rules_file_to_prometheus(path, group, interval)
    except (InvalidArgumentError, OSError) as exc:
        err.write(f"monitor rules to-prometheus: {exc}\n")
        return 2
    if output == "-":
        out.write(text)
    else:
        write_text_atomic(output, text)
    return 0

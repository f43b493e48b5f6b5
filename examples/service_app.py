"""A model service to copy: a WSGI app with ``/predict`` (instrumented by ServiceMonitor) and
``/metrics`` (``monitor.exposition``), exact across the worker processes of a pre-fork server::

    export MONITOR_SHARED_DIR=/dev/shm/monitor-example    # one shared segment for all workers
    gunicorn -w 4 --chdir examples service_app:app
    curl -s -X POST localhost:8000/predict -d '{"x": [1.0, 2.0, 3.0]}'
    curl -s localhost:8000/metrics

Every worker records into the one segment in ``$MONITOR_SHARED_DIR`` (see ``monitor.shared``),
so whichever worker answers ``/metrics`` reports the totals of all of them; without the
variable each worker reports its own. Works with ``--preload`` too (the monitor is then
created once, before the fork). Standard library and ``monitor`` only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from typing import Any

from monitor import InputValidationError, ServiceMonitor, exposition

SERVICE = os.environ.get("EXAMPLE_SERVICE", "example-model")
MODEL_VERSION = os.environ.get("EXAMPLE_MODEL_VERSION", "v1")

# One monitor per process (or one before the fork with --preload). It finds the shared
# directory in $MONITOR_SHARED_DIR; pass shared="/dev/shm/..." to choose it in code.
svc = ServiceMonitor(SERVICE, MODEL_VERSION, log_success=False)

WEIGHTS = (0.5, -0.25, 0.125)


def model(x: list[float]) -> float:
    """A stand-in for the real model: a dot product with fixed weights."""
    return sum(w * v for w, v in zip(WEIGHTS, x))


def predict(payload: Any) -> dict[str, Any]:
    with svc.observe(
        request_id=payload.get("id") if isinstance(payload, dict) else None, input=payload
    ) as obs:
        with obs.stage("validation"):
            x = payload.get("x") if isinstance(payload, dict) else None
            if not isinstance(x, list) or len(x) != len(WEIGHTS):
                raise InputValidationError(f"x must be a list of {len(WEIGHTS)} numbers")
            x = [float(v) for v in x]
        with obs.stage("model"):
            y = model(x)
        obs.record(prediction=y)
    return {"prediction": y, "model_version": MODEL_VERSION}


# -- /metrics: every signal, in the format the scraper asks for (text 0.0.4, OpenMetrics with
# exemplars, protobuf with native histograms). With a shared segment the counters and the
# latency histogram are the fleet's; the window gauges are those of the worker that answers.
registry = exposition.Registry()
registry.register(svc)
metrics_app = exposition.make_wsgi_app(registry)


# -- WSGI -------------------------------------------------------------------------------------
Start = Callable[[str, list[tuple[str, str]]], Any]


def _reply(start: Start, status: str, body: bytes, ctype: str) -> Iterable[bytes]:
    start(status, [("Content-Type", ctype), ("Content-Length", str(len(body)))])
    return [body]


def app(environ: dict[str, Any], start_response: Start) -> Iterable[bytes]:
    path, method = environ.get("PATH_INFO", "/"), environ.get("REQUEST_METHOD", "GET")
    if path == "/metrics":
        return metrics_app(environ, start_response)
    if path == "/predict" and method in ("POST", "GET"):
        try:
            n = int(environ.get("CONTENT_LENGTH") or 0)
            raw = environ["wsgi.input"].read(n) if n > 0 else b"{}"
            payload = json.loads(raw or b"{}")
        except (ValueError, OSError):
            payload = None
        try:
            out = predict(payload)
        except InputValidationError as exc:  # counted as an input_validation error
            return _reply(
                start_response,
                "400 Bad Request",
                json.dumps({"error": str(exc)}).encode(),
                "application/json",
            )
        return _reply(start_response, "200 OK", json.dumps(out).encode(), "application/json")
    return _reply(start_response, "404 Not Found", b"not found\n", "text/plain")


if __name__ == "__main__":  # a single process without gunicorn: python examples/service_app.py
    from wsgiref.simple_server import make_server

    with make_server("127.0.0.1", 8000, app) as server:
        print("serving on http://127.0.0.1:8000 (/predict, /metrics)")
        server.serve_forever()

"""The one definition of every signal the service produces: name, unit, kind and help.

A *signal* is one dotted name of a service snapshot (``monitor.Snapshot.signals()``), e.g.
``latency.p99_ms`` or ``errors.rate.timeout``. Signals come in *families*
(:class:`SignalFamily`): a name template whose ``{placeholders}`` are labels
(``errors.rate.{category}``), one unit, one kind and one help text. Everything that knows signal
names derives from this module, nothing else spells them:

- the snapshot builds its flat mapping with the name builders (:func:`latency_quantile_name`,
  :func:`throughput_name`, :func:`error_rate_name`, :func:`drift_name`, ...);
- alert rules are validated with :func:`check_signal` (the compiled matcher of every family)
  and their thresholds are parsed in the signal's unit (:func:`unit_of`);
- the data is shaped for exports to take metric names, units, types and HELP lines from
  :data:`FAMILIES` (:func:`lookup` / :func:`parse` turn a dotted name back into its family and
  label values); the exposition of every signal (the next step of ``monitor.exposition``, which
  today exports one latency histogram) is to derive from it, not to list names of its own.

The error categories come from :class:`monitor.categories.ErrorCategory` (itself checked
against the C core), the flows from the service's counters; adding a category or a flow is one
edit there (or here for a flow), and every name, pattern and message follows.

Adding a signal: add a :class:`SignalFamily` to :data:`FAMILIES` (and a name builder if the
snapshot needs one), produce it in ``ServiceMonitor.snapshot()``; ``tests/unit/test_signals.py``
checks that every family is produced and every produced name is known.
"""

from __future__ import annotations

from . import exports as _exports
from . import registry as _registry
from .exports import *  # noqa: F403 (the names are exports.__all__)
from .registry import *  # noqa: F403 (the names are registry.__all__)

# every public name of the two modules, listed once, in the module that defines it
__all__ = [*_registry.__all__, *_exports.__all__]

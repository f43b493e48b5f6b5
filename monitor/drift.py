"""Deterministic drift metrics between two count vectors: TV, Jensen-Shannon, PSI.

The numbers come from the C core (``csrc/mon_drift.c``), which uses integer and fixed-point
arithmetic only, so the raw results are identical on every platform. The floats returned here are
derived from those raw integers by a correctly rounded conversion (Python's ``int / int``):

- ``tv = tv_num / tv_den`` is the exact rational TV, correctly rounded to a float;
- ``js = js_mant * 2**js_exp2`` and ``js_distance = js_distance_mant * 2**js_distance_exp2`` (the
  core's relative-precision forms: relative error < 2**-54 however small JS is; the fixed-point
  ``js_raw`` / 2**126 and ``js_distance_raw`` / 2**63 are kept as the certified raw values),
  ``psi = psi_raw / 2**PSI_FRAC_BITS``.

``p``/``actual`` is the current window, ``q``/``expected`` the reference. Counts are 1-D sequences
or numpy arrays of non-negative integers (float arrays are accepted only when every value is a
finite integer); each total must be between 1 and 2**53.
"""

from __future__ import annotations

import math
import numbers
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Union

import numpy as np

from ._ffi import ffi, lib, raise_status
from .errors import EmptyWindowError, InvalidArgumentError, InvalidTypeError

__all__ = [
    "DriftScores",
    "drift_scores",
    "js",
    "psi",
    "psi_contributions",
    "psi_contributions_raw",
    "tv",
    "PSI_FLOOR_EPSILON_DEFAULT",
    "PSI_SMOOTHINGS",
]

Counts = Union[Sequence[int], "np.ndarray[Any, Any]"]

_TV_BITS: int = int(lib.MON_DRIFT_TV_FRAC_BITS)
_JS_BITS: int = int(lib.MON_DRIFT_JS_FRAC_BITS)
_JSD_BITS: int = int(lib.MON_DRIFT_JS_DISTANCE_FRAC_BITS)
_PSI_BITS: int = int(lib.MON_DRIFT_PSI_FRAC_BITS)
_MAX_TOTAL: int = int(lib.MON_DRIFT_MAX_TOTAL)
_JS_SCALE: int = 1 << _JS_BITS
_JSD_SCALE: int = 1 << _JSD_BITS
_PSI_SCALE: int = 1 << _PSI_BITS
_EPS_MIN_EXP2: int = int(lib.MON_DRIFT_FLOOR_EPS_MIN_EXP2)

#: Default epsilon of ``smoothing="floor"`` (the C constant, exactly the double 1e-4).
PSI_FLOOR_EPSILON_DEFAULT: float = math.ldexp(
    int(lib.MON_DRIFT_FLOOR_EPS_DEFAULT_MANT), int(lib.MON_DRIFT_FLOOR_EPS_DEFAULT_EXP2)
)
#: Accepted values of the ``smoothing`` argument.
PSI_SMOOTHINGS: tuple[str, ...] = ("laplace", "floor")

_SMOOTHING_CODE = {"laplace": int(lib.MON_PSI_LAPLACE), "floor": int(lib.MON_PSI_FLOOR)}
_U64 = np.dtype(np.uint64)
_I64 = np.dtype(np.int64)


def _result_struct() -> tuple[struct.Struct, tuple[str, ...]]:
    """A struct.Struct reading every uint64 word (and the int32 exponents) of mon_drift_result,
    built from the C layout (ffi.offsetof / ffi.sizeof), so nothing about the layout is retyped
    here; one unpack reads the whole result."""
    words: dict[int, tuple[str, str, int]] = {}
    for field in ("tv_raw", "tv_num", "tv_den", "js_raw", "psi_raw"):
        base = ffi.offsetof("mon_drift_result", field)
        words[base + ffi.offsetof("mon_u128", "hi")] = (field + ".hi", "Q", 8)
        words[base + ffi.offsetof("mon_u128", "lo")] = (field + ".lo", "Q", 8)
    words[ffi.offsetof("mon_drift_result", "js_distance_raw")] = ("js_distance_raw", "Q", 8)
    # total_actual / total_expected are not read: skipped as padding (two ints fewer per call)
    assert ffi.sizeof("int32_t") == 4
    for field in ("js_fp", "js_distance_fp"):
        base = ffi.offsetof("mon_drift_result", field)
        words[base + ffi.offsetof("mon_drift_fp", "mant")] = (field + ".mant", "Q", 8)
        words[base + ffi.offsetof("mon_drift_fp", "exp2")] = (field + ".exp2", "i", 4)
    fmt = "="
    pos = 0
    names = []
    for off in sorted(words):
        name, code, width = words[off]
        fmt += "x" * (off - pos) + code
        pos = off + width
        names.append(name)
    fmt += "x" * (ffi.sizeof("mon_drift_result") - pos)
    return struct.Struct(fmt), tuple(names)


_RESULT_STRUCT, _RESULT_NAMES = _result_struct()
_RESULT_SIZE: int = ffi.sizeof("mon_drift_result")
_UNPACK = _RESULT_STRUCT.unpack_from
_E_ALIGN = int(lib.MON_E_ALIGN)
#: Scratch result structs of drift_scores, reused: at most one per thread inside the call at once.
_RESULTS: list[tuple[Any, Any]] = []
_RESULT_INDEX = {name: i for i, name in enumerate(_RESULT_NAMES)}
_TVR_HI, _TVR_LO = _RESULT_INDEX["tv_raw.hi"], _RESULT_INDEX["tv_raw.lo"]
_TVN_HI, _TVN_LO = _RESULT_INDEX["tv_num.hi"], _RESULT_INDEX["tv_num.lo"]
_TVD_HI, _TVD_LO = _RESULT_INDEX["tv_den.hi"], _RESULT_INDEX["tv_den.lo"]
_JS_HI, _JS_LO = _RESULT_INDEX["js_raw.hi"], _RESULT_INDEX["js_raw.lo"]
_PSI_HI, _PSI_LO = _RESULT_INDEX["psi_raw.hi"], _RESULT_INDEX["psi_raw.lo"]
_JSD = _RESULT_INDEX["js_distance_raw"]
_JSM = _RESULT_INDEX["js_fp.mant"]
_JSE = _RESULT_INDEX["js_fp.exp2"]
_JSDM = _RESULT_INDEX["js_distance_fp.mant"]
_JSDE = _RESULT_INDEX["js_distance_fp.exp2"]


#: The layout of this build's mon_drift_result in the order drift_scores unpacks it by name (hi
#: before lo: little- and big-endian hosts alike, since the words are read by their offsets).
_DIRECT_ORDER: bool = _RESULT_NAMES == (
    "tv_raw.hi",
    "tv_raw.lo",
    "tv_num.hi",
    "tv_num.lo",
    "tv_den.hi",
    "tv_den.lo",
    "js_raw.hi",
    "js_raw.lo",
    "js_distance_raw",
    "psi_raw.hi",
    "psi_raw.lo",
    "js_fp.mant",
    "js_fp.exp2",
    "js_distance_fp.mant",
    "js_distance_fp.exp2",
)


def _fp_value(mant: int, exp2: int) -> float:
    """mant * 2**exp2, correctly rounded (Python's int / int)."""
    if exp2 >= 0:
        return float(mant << exp2)
    return mant / (1 << -exp2)


@dataclass(frozen=True, slots=True, repr=False)
class DriftScores:
    """TV, Jensen-Shannon and PSI of one pair of count vectors.

    The fields are the raw fixed-point integers of the C core (the values a certification test
    pins); the float attributes ``tv``, ``js``, ``js_distance`` and ``psi`` are derived from them
    by a correctly rounded conversion on access, so a float and its raw value always agree:
    ``tv = tv_num / tv_den`` (exact TV, correctly rounded), ``js = js_raw / 2**JS_FRAC_BITS``,
    ``js_distance = js_distance_raw / 2**JS_DISTANCE_FRAC_BITS``,
    ``psi = psi_raw / 2**PSI_FRAC_BITS``; ``tv_raw = round(TV * 2**TV_FRAC_BITS)``.

    ``js`` and ``js_distance`` come from the relative-precision outputs when present:
    ``js = js_mant * 2**js_exp2`` and ``js_distance = js_distance_mant * 2**js_distance_exp2``
    (the C core's ``mon_drift_fp``, relative error < 2**-54 even for near-identical inputs, where
    the fixed steps of ``js_raw`` and ``js_distance_raw`` are too coarse).
    """

    tv_raw: int
    tv_num: int
    tv_den: int
    js_raw: int
    js_distance_raw: int
    psi_raw: int
    js_mant: int | None = None
    js_exp2: int = 0
    js_distance_mant: int | None = None
    js_distance_exp2: int = 0

    TV_FRAC_BITS: ClassVar[int] = _TV_BITS
    JS_FRAC_BITS: ClassVar[int] = _JS_BITS
    JS_DISTANCE_FRAC_BITS: ClassVar[int] = _JSD_BITS
    PSI_FRAC_BITS: ClassVar[int] = _PSI_BITS

    @property
    def tv(self) -> float:
        """Total variation distance in [0, 1] (exact rational, correctly rounded)."""
        return self.tv_num / self.tv_den

    @property
    def js(self) -> float:
        """Jensen-Shannon divergence in bits, in [0, 1] (relative error < 2**-54)."""
        if self.js_mant is not None:
            return _fp_value(self.js_mant, self.js_exp2)
        return self.js_raw / _JS_SCALE

    @property
    def js_distance(self) -> float:
        """Jensen-Shannon distance sqrt(js) (scipy's jensenshannon with base=2), relative error
        < 2**-54."""
        if self.js_distance_mant is not None:
            return _fp_value(self.js_distance_mant, self.js_distance_exp2)
        return self.js_distance_raw / _JSD_SCALE

    @property
    def psi(self) -> float:
        """Population stability index in nats."""
        return self.psi_raw / _PSI_SCALE

    def as_dict(self) -> dict[str, float | int]:
        """Floats and raw integers as a plain dict (e.g. for JSON logs)."""
        return {
            "tv": self.tv,
            "js": self.js,
            "js_distance": self.js_distance,
            "psi": self.psi,
            "tv_raw": self.tv_raw,
            "tv_num": self.tv_num,
            "tv_den": self.tv_den,
            "js_raw": self.js_raw,
            "js_distance_raw": self.js_distance_raw,
            "psi_raw": self.psi_raw,
        }

    def __repr__(self) -> str:
        return (
            f"DriftScores(tv={self.tv!r}, js={self.js!r}, js_distance={self.js_distance!r}, "
            f"psi={self.psi!r}, tv_raw={self.tv_raw}, tv_num={self.tv_num}, "
            f"tv_den={self.tv_den}, js_raw={self.js_raw}, "
            f"js_distance_raw={self.js_distance_raw}, psi_raw={self.psi_raw})"
        )


class _ScoresBuilder:
    """The same slots as DriftScores, not frozen: drift_scores' hot path stores the ten fields
    with plain attribute stores (the frozen dataclass's __init__ and the slot descriptors'
    ``__set__`` cost ~3x as much) and then gives the object its class, ``DriftScores``
    (``__class__`` assignment between classes of the same slot layout). The result is an
    ordinary DriftScores: same type, fields, equality, hash, repr and pickling (tested)."""

    __slots__ = DriftScores.__slots__


# ---- argument handling ----------------------------------------------------------------------


def _diagnose(arr: np.ndarray[Any, Any], name: str) -> None:
    """Raise the precise error for counts the C core rejected (or that cannot go to C)."""
    if arr.dtype.kind in "iu":
        if arr.dtype.kind == "i" and arr.size and int(arr.min()) < 0:
            i = int(np.argmax(arr < 0))
            raise InvalidArgumentError(
                f"{name} has a negative count ({name}[{i}] = {int(arr[i])}); "
                "expected non-negative integer counts"
            )
        values = arr.astype(np.uint64, copy=False)
        if values.size and int(values.max()) > _MAX_TOTAL:
            i = int(np.argmax(values > _MAX_TOTAL))
            raise InvalidArgumentError(
                f"{name}[{i}] = {int(values[i])} exceeds the supported total 2**53; "
                "expected counts whose total is at most 2**53"
            )
        total = sum(int(v) for v in values.tolist())
        if total > _MAX_TOTAL:
            raise InvalidArgumentError(
                f"{name} has total count {total} > 2**53 = {_MAX_TOTAL}; expected a total of at most 2**53"
            )
        if total == 0:
            raise EmptyWindowError(
                f"{name} has total count 0 (an empty window): the drift metrics are undefined; "
                "expected at least one observation"
            )


def _as_counts(x: Any, name: str) -> np.ndarray[Any, Any]:
    """Validate and convert counts to a C-contiguous uint64 array (zero-copy when possible)."""
    if isinstance(x, np.ma.MaskedArray) and np.ma.getmaskarray(x).any():
        i = int(np.argmax(np.ma.getmaskarray(x).reshape(-1)))
        raise InvalidArgumentError(
            f"{name} is a masked array with masked entries ({name}[{i}] is masked); expected a "
            "count in every bin (fill the masked bins, e.g. counts.filled(0))"
        )
    if isinstance(x, np.ndarray):
        arr = np.asarray(x)
    elif isinstance(x, (str, bytes, Mapping)) or not hasattr(x, "__len__"):
        raise InvalidTypeError(
            f"{name} must be a 1-D sequence or numpy array of counts, got {type(x).__name__}"
        )
    else:
        try:
            arr = np.asarray(x)
        except (ValueError, TypeError) as exc:
            raise InvalidArgumentError(f"{name} is not a 1-D sequence of counts: {exc}") from None
    if arr.ndim != 1:
        raise InvalidArgumentError(
            f"{name} must be 1-D (one count per bin), got an array of shape {arr.shape}"
        )
    if arr.shape[0] == 0:
        raise InvalidArgumentError(f"{name} is empty; expected at least one bin")
    kind = arr.dtype.kind
    if kind == "u" or kind == "i":
        if kind == "i" and int(arr.min()) < 0:
            _diagnose(arr, name)
        return np.require(arr, np.uint64, ("C", "A"))  # aligned, native byte order for C
    if kind == "f":
        if not np.isfinite(arr).all():
            i = int(np.argmax(~np.isfinite(arr)))
            raise InvalidArgumentError(
                f"{name}[{i}] = {arr[i].item()!r} is not finite; expected non-negative integer counts"
            )
        if (arr < 0).any():
            i = int(np.argmax(arr < 0))
            raise InvalidArgumentError(
                f"{name} has a negative count ({name}[{i}] = {arr[i].item()!r}); "
                "expected non-negative integer counts"
            )
        if (arr != np.floor(arr)).any():
            i = int(np.argmax(arr != np.floor(arr)))
            raise InvalidArgumentError(
                f"{name}[{i}] = {arr[i].item()!r} is not an integer; expected integer counts "
                "(float arrays are accepted only when every value is a whole number)"
            )
        if (arr > _MAX_TOTAL).any():
            i = int(np.argmax(arr > _MAX_TOTAL))
            raise InvalidArgumentError(
                f"{name}[{i}] = {arr[i].item()!r} exceeds 2**53; expected a total of at most 2**53"
            )
        return arr.astype(np.uint64)
    if kind == "O":
        values = []
        for i, v in enumerate(arr.tolist()):
            if isinstance(v, bool) or not isinstance(v, numbers.Integral):
                raise InvalidTypeError(
                    f"{name}[{i}] = {v!r} ({type(v).__name__}) is not an integer; expected integer counts"
                )
            iv = int(v)
            if iv < 0:
                raise InvalidArgumentError(
                    f"{name} has a negative count ({name}[{i}] = {iv}); expected non-negative integer counts"
                )
            if iv > _MAX_TOTAL:
                raise InvalidArgumentError(
                    f"{name}[{i}] = {iv} exceeds 2**53; expected a total of at most 2**53"
                )
            values.append(iv)
        return np.array(values, dtype=np.uint64)
    raise InvalidTypeError(
        f"{name} has dtype {arr.dtype}; expected integer counts (any integer dtype, or floats "
        "holding whole numbers)"
    )


def _pair(p: Any, q: Any, pname: str, qname: str) -> tuple[Any, Any, int, Any, Any]:
    """Return (p_ptr, q_ptr, nbins, p_array, q_array); the arrays keep the buffers alive."""
    # Fast path: 1-D uint64/int64 numpy arrays go to C without a copy (from_buffer refuses a
    # non-contiguous array; that falls through to the general path). A negative int64 reads as
    # a uint64 >= 2^63, which the C core rejects (MON_E_OVERFLOW); _fail then names it.
    if (
        type(p) is np.ndarray
        and type(q) is np.ndarray
        and (p.dtype is _U64 or p.dtype is _I64)
        and (q.dtype is _U64 or q.dtype is _I64)
        and p.ndim == 1
        and q.ndim == 1
        and p.flags.aligned
        and q.flags.aligned
    ):
        n = len(p)
        if n and n == len(q):
            try:
                return ffi.from_buffer("uint64_t[]", p), ffi.from_buffer("uint64_t[]", q), n, p, q
            except ValueError:
                pass
    pa = _as_counts(p, pname)
    qa = _as_counts(q, qname)
    n = pa.shape[0]
    if qa.shape[0] != n:
        raise InvalidArgumentError(
            f"{pname} has {n} bins but {qname} has {qa.shape[0]}; expected the same number of "
            "bins (counts over the same bin edges)"
        )
    return (
        ffi.from_buffer("uint64_t[]", pa),
        ffi.from_buffer("uint64_t[]", qa),
        n,
        pa,
        qa,
    )


def _u128_struct() -> struct.Struct:
    """Reads one mon_u128 as (hi, lo) from its C layout (offsets from ffi, not retyped)."""
    hi = ffi.offsetof("mon_u128", "hi")
    lo = ffi.offsetof("mon_u128", "lo")
    assert ffi.sizeof("mon_u128") == 16 and {hi, lo} == {0, 8}
    return struct.Struct("=QQ")


_U128 = _u128_struct()
_U128_SWAP: bool = ffi.offsetof("mon_u128", "hi") != 0


def _u128_value(buf: bytearray) -> int:
    a: int
    b: int
    a, b = _U128.unpack(buf)
    if _U128_SWAP:
        a, b = b, a
    return (a << 64) | b


def _fail(status: int, pa: Any, qa: Any, pname: str, qname: str, what: str) -> None:
    _diagnose(pa, pname)
    _diagnose(qa, qname)
    raise_status(status, what)


def _psi_options(smoothing: str, epsilon: float | None) -> tuple[Any, float | None]:
    if not isinstance(smoothing, str):
        raise InvalidTypeError(
            f"unknown smoothing: a string, one of {', '.join(PSI_SMOOTHINGS)} is expected, got "
            f"{type(smoothing).__name__} {smoothing!r}"
        )
    if smoothing not in _SMOOTHING_CODE:
        raise InvalidArgumentError(
            f"unknown smoothing {smoothing!r}; expected one of {', '.join(PSI_SMOOTHINGS)}"
        )
    if smoothing == "laplace":
        if epsilon is not None:
            raise InvalidArgumentError(
                "epsilon applies only to smoothing='floor'; the default 'laplace' smoothing "
                "adds one to every count and takes no epsilon"
            )
        return ffi.NULL, None
    if epsilon is None:
        eps = PSI_FLOOR_EPSILON_DEFAULT
    else:
        if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real):
            raise InvalidTypeError(f"epsilon must be a real number, got {type(epsilon).__name__}")
        eps = float(epsilon)
        if not math.isfinite(eps) or not (0.0 < eps < 1.0):
            raise InvalidArgumentError(f"epsilon must be finite and 0 < epsilon < 1, got {epsilon!r}")
        if eps < math.ldexp(1.0, _EPS_MIN_EXP2):
            raise InvalidArgumentError(
                f"epsilon {epsilon!r} is below the supported minimum 2**{_EPS_MIN_EXP2} "
                f"({math.ldexp(1.0, _EPS_MIN_EXP2):.3g})"
            )
    num, den = eps.as_integer_ratio()
    opt = ffi.new("mon_psi_options *")
    opt.smoothing = _SMOOTHING_CODE["floor"]
    opt.eps_mant = num
    opt.eps_exp2 = -(den.bit_length() - 1)
    return opt, eps


# ---- public functions -----------------------------------------------------------------------


def drift_scores(
    actual: Counts,
    expected: Counts,
    smoothing: str = "laplace",
    epsilon: float | None = None,
) -> DriftScores:
    """TV, JS divergence and distance (bits) and PSI (nats) of ``actual`` against ``expected``
    in one pass. See :func:`psi` for ``smoothing`` and ``epsilon``."""
    if epsilon is None and type(smoothing) is str and smoothing == "laplace":
        opt = ffi.NULL
    else:
        opt = _psi_options(smoothing, epsilon)[0]
    # the fast path of _pair, inlined (this is the per-window hot path)
    p, q = actual, expected
    pp = None
    if (
        type(p) is np.ndarray
        and type(q) is np.ndarray
        and (p.dtype is _U64 or p.dtype is _I64)
        and (q.dtype is _U64 or q.dtype is _I64)
        and p.ndim == 1
        and q.ndim == 1
    ):  # (alignment is not checked here: the C core refuses a misaligned array, then _pair)
        n = len(p)
        if n and n == len(q):
            try:
                pp = ffi.from_buffer("uint64_t[]", p)
                qp = ffi.from_buffer("uint64_t[]", q)
                pa, qa = p, q
            except ValueError:
                pp = None
    if pp is None:
        pp, qp, n, pa, qa = _pair(actual, expected, "actual", "expected")
    # A result struct from the pool (one per thread in the call at the same time; list.pop and
    # list.append are atomic): no allocation and no buffer export on the hot path.
    try:
        res, view = _RESULTS.pop()
    except IndexError:
        res = ffi.new("mon_drift_result *")
        view = ffi.buffer(res)
    try:
        status = lib.mon_drift_scores(pp, qp, n, opt, res)
        if status == _E_ALIGN and pa is actual:  # a misaligned array view: aligned copies
            pp, qp, n, pa, qa = _pair(actual, expected, "actual", "expected")
            status = lib.mon_drift_scores(pp, qp, n, opt, res)
        w = _UNPACK(view)
    finally:
        _RESULTS.append((res, view))
    if status != 0:
        _fail(status, pa, qa, "actual", "expected", "drift_scores")
    o: Any = _ScoresBuilder()
    if _DIRECT_ORDER:  # one unpack into names (this layout; checked at import)
        (
            tvr_h,
            tvr_l,
            tvn_h,
            tvn_l,
            tvd_h,
            tvd_l,
            js_h,
            js_l,
            jsd,
            psi_h,
            psi_l,
            jsm,
            jse,
            jsdm,
            jsde,
        ) = w
        # A zero high word (TV < 1, PSI < 1 nat, totals < 2^32: the usual case) skips the shift
        # and the or, i.e. two int objects made and freed per field.
        o.tv_raw = (tvr_h << 64) | tvr_l if tvr_h else tvr_l
        o.tv_num = (tvn_h << 64) | tvn_l if tvn_h else tvn_l
        o.tv_den = (tvd_h << 64) | tvd_l if tvd_h else tvd_l
        o.js_raw = (js_h << 64) | js_l if js_h else js_l
        o.js_distance_raw = jsd
        o.psi_raw = (psi_h << 64) | psi_l if psi_h else psi_l
        o.js_mant = jsm
        o.js_exp2 = jse
        o.js_distance_mant = jsdm
        o.js_distance_exp2 = jsde
        o.__class__ = DriftScores
        return o  # type: ignore[no-any-return]
    o.tv_raw = (w[_TVR_HI] << 64) | w[_TVR_LO]
    o.tv_num = (w[_TVN_HI] << 64) | w[_TVN_LO]
    o.tv_den = (w[_TVD_HI] << 64) | w[_TVD_LO]
    o.js_raw = (w[_JS_HI] << 64) | w[_JS_LO]
    o.js_distance_raw = w[_JSD]
    o.psi_raw = (w[_PSI_HI] << 64) | w[_PSI_LO]
    o.js_mant = w[_JSM]
    o.js_exp2 = w[_JSE]
    o.js_distance_mant = w[_JSDM]
    o.js_distance_exp2 = w[_JSDE]
    o.__class__ = DriftScores
    return o  # type: ignore[no-any-return]


def tv(p: Counts, q: Counts) -> float:
    """Total variation distance 1/2 sum |p_b - q_b| in [0, 1]: the exact rational, correctly
    rounded to a float."""
    pp, qp, n, pa, qa = _pair(p, q, "p", "q")
    num = ffi.new("mon_u128 *")
    den = ffi.new("mon_u128 *")
    status = lib.mon_drift_tv(pp, qp, n, ffi.NULL, num, den)
    if status != 0:
        _fail(status, pa, qa, "p", "q", "tv")
    top: int = (num.hi << 64) | num.lo
    bottom: int = (den.hi << 64) | den.lo
    return top / bottom


def js(p: Counts, q: Counts, distance: bool = False) -> float:
    """Jensen-Shannon divergence in bits (in [0, 1]); with ``distance=True`` its square root,
    the JS distance (scipy's ``jensenshannon(p, q, base=2)``, accurate also for near-identical
    inputs)."""
    pp, qp, n, pa, qa = _pair(p, q, "p", "q")
    out = ffi.new("mon_drift_fp[2]")
    status = lib.mon_drift_js_fp(pp, qp, n, out, out + 1)
    if status != 0:
        _fail(status, pa, qa, "p", "q", "js")
    v = out[1] if distance else out[0]
    return _fp_value(int(v.mant), int(v.exp2))


def psi(
    actual: Counts,
    expected: Counts,
    smoothing: str = "laplace",
    epsilon: float | None = None,
) -> float:
    """Population stability index sum (a_b - e_b) ln(a_b / e_b) of smoothed proportions.

    ``smoothing="laplace"`` (default, the article's formula): a_b = (A_b + 1) / (N_A + B).
    ``smoothing="floor"``: a_b = max(A_b / N_A, epsilon) without renormalisation;
    ``epsilon`` defaults to :data:`PSI_FLOOR_EPSILON_DEFAULT` (1e-4) and must satisfy
    2**-64 <= epsilon < 1."""
    if epsilon is None and type(smoothing) is str and smoothing == "laplace":
        opt = ffi.NULL
    else:
        opt = _psi_options(smoothing, epsilon)[0]
    pp, qp, n, pa, qa = _pair(actual, expected, "actual", "expected")
    buf = bytearray(16)
    status = lib.mon_drift_psi(pp, qp, n, opt, ffi.from_buffer("mon_u128 *", buf))
    if status != 0:
        _fail(status, pa, qa, "actual", "expected", "psi")
    return _u128_value(buf) / _PSI_SCALE


_U128_HI: int = ffi.offsetof("mon_u128", "hi") // 8
_U128_LO: int = ffi.offsetof("mon_u128", "lo") // 8


def psi_contributions_raw(
    actual: Counts,
    expected: Counts,
    smoothing: str = "laplace",
    epsilon: float | None = None,
) -> list[int]:
    """Per-bin PSI terms (a_b - e_b) ln(a_b / e_b) as raw integers in 2^-PSI_FRAC_BITS units,
    each rounded on its own (their sum is within ``len(actual)`` units of ``drift_scores``'
    ``psi_raw``). For diagnosis: which bins drive the PSI. Arguments as :func:`psi`."""
    opt, _ = _psi_options(smoothing, epsilon)
    pp, qp, n, pa, qa = _pair(actual, expected, "actual", "expected")
    out = ffi.new("mon_u128[]", n)
    status = lib.mon_drift_psi_bins(pp, qp, n, opt, out)
    if status != 0:
        _fail(status, pa, qa, "actual", "expected", "psi_contributions")
    words = np.frombuffer(ffi.buffer(out), dtype=np.uint64).reshape(n, 2)
    hi = words[:, _U128_HI].tolist()
    lo = words[:, _U128_LO].tolist()
    return [(h << 64) | lo_ for h, lo_ in zip(hi, lo)]


def psi_contributions(
    actual: Counts,
    expected: Counts,
    smoothing: str = "laplace",
    epsilon: float | None = None,
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Per-bin PSI terms in nats (float64 array, each correctly rounded from its raw value);
    see :func:`psi_contributions_raw`."""
    raw = psi_contributions_raw(actual, expected, smoothing, epsilon)
    return np.array([r / _PSI_SCALE for r in raw], dtype=np.float64)

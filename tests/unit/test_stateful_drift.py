"""A hypothesis state machine drives a DriftMonitor (updates of random sizes including 0, of
random dtypes and containers, resets, evaluations) and checks it against a brute-force model
that keeps every row: the window is the rows of the last sub-windows, its counts equal a
recount of those rows with numpy.histogram, and nothing is lost."""

from __future__ import annotations

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from monitor import DriftMonitor, EmptyWindowError, Reference

_rng = np.random.default_rng(5)
_X = _rng.normal(size=(3000, 3))
_X[:, 2] = _rng.integers(0, 4, 3000)
REF = Reference.fit(_X, bins=6, names=["x", "y", "cat"], categorical=["cat"])


class DriftMachine(RuleBasedStateMachine):
    @initialize(
        shape=st.integers(1, 5).flatmap(
            lambda k: st.tuples(st.just(k), st.integers(1, 30).map(lambda s: s * k))
        )
    )
    def setup(self, shape: tuple[int, int]) -> None:
        self.slots, self.window = shape
        self.dm = DriftMonitor(REF, window=self.window, slots=self.slots)
        self.rows: list[np.ndarray] = []

    @rule(
        n=st.integers(0, 90),
        seed=st.integers(0, 2**32 - 1),
        form=st.sampled_from(["f64", "f32", "int", "dict", "records", "fortran"]),
    )
    def update(self, n: int, seed: int, form: str) -> None:
        rng = np.random.default_rng(seed)
        b = rng.normal(size=(n, 3)) * 1.5
        b[:, 2] = rng.integers(-1, 6, n)  # unseen codes -1, 4, 5
        if form == "int":
            b = np.round(b).astype(np.int64)
            data: object = b
        elif form == "f32":
            b = b.astype(np.float32).astype(np.float64)
            data = b.astype(np.float32)
        else:
            b[rng.random((n, 3)) < 0.05] = np.nan
            if form == "dict":
                data = {"cat": b[:, 2], "y": b[:, 1], "x": b[:, 0]}  # another order: by name
            elif form == "records":
                rec = np.zeros(n, dtype=[("y", "f8"), ("cat", "f8"), ("x", "f8")])
                rec["x"], rec["y"], rec["cat"] = b[:, 0], b[:, 1], b[:, 2]
                data = rec
            elif form == "fortran":
                data = np.asfortranarray(b)
            else:
                data = b
        before = self.dm.rows_seen
        self.dm.update(data)
        assert self.dm.rows_seen == before + n
        self.rows.append(np.asarray(b, dtype=np.float64))

    @rule()
    def reset(self) -> None:
        self.dm.reset()
        self.rows = []

    @precondition(lambda self: hasattr(self, "dm"))
    @invariant()
    def window_is_a_recount_of_the_last_rows(self) -> None:
        allrows = np.concatenate(self.rows) if self.rows else np.zeros((0, 3))
        t = allrows.shape[0]
        assert self.dm.rows_seen == t
        if t == 0:
            try:
                self.dm.evaluate()
            except EmptyWindowError:
                return
            raise AssertionError("an empty window must raise EmptyWindowError")
        sub = self.window // self.slots
        start = max(0, ((t - 1) // sub - self.slots + 1) * sub)
        win = allrows[start:]
        counts, extra = self.dm.window_counts()
        off = 0
        rep = self.dm.evaluate()
        assert (rep.start, rep.end, rep.rows) == (start, t, t - start)
        for f, prof in enumerate(REF.features):
            col = win[:, f]
            ok = col[~np.isnan(col)]
            want = np.histogram(ok, prof.edges)[0]
            got = counts[off : off + prof.nbins]
            off += prof.nbins
            assert got.tolist() == want.tolist()
            below = int((ok < prof.edges[0]).sum())
            above = int((ok > prof.edges[-1]).sum())
            assert extra[f].tolist() == [int(np.isnan(col).sum()), below, above]
            # nothing lost: every row of the window is in exactly one place
            assert int(got.sum()) + int(extra[f].sum()) == win.shape[0]
            fd = rep.features[f]
            assert fd.rows == win.shape[0]
            assert fd.count + fd.nan + (fd.below + fd.above if prof.kind == "numeric" else 0) == win.shape[0]


TestDriftMachine = DriftMachine.TestCase
TestDriftMachine.settings = settings(max_examples=30, stateful_step_count=25, deadline=None)

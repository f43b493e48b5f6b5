"""Drift on Dask with monitor's two primitives (``pip install 'monitor[dask]'``).

Each partition is profiled where it lives (``monitor.profile_batch``: the counts of its rows
against the reference), the profiles travel as bytes, and one exact merge
(``monitor.merge_profiles``) gives the same bytes as profiling every row in one process,
however Dask split the data. Here the partitions are ``dask.delayed`` pieces of numpy arrays; a
``dask.dataframe`` works the same way through ``ddf.to_delayed()`` (one pandas DataFrame per
partition, matched by column name).

    python examples/dask_drift.py            # prints the drift table; exit 0
"""

from __future__ import annotations

import dask
import numpy as np

import monitor


def main(partitions: int = 8, scheduler: str = "threads", rows: int = 200_000) -> monitor.DriftProfile:
    rng = np.random.default_rng(0)
    ref = monitor.Reference.fit(
        {
            "amount": rng.lognormal(3, 1, 50_000),
            "merchant": rng.choice(list("abcdefg"), 50_000).astype(object),
        },
        top_k=5,
    )
    today = {
        "amount": rng.lognormal(3.2, 1, rows),
        "merchant": rng.choice(list("abcdefgh"), rows).astype(object),
    }

    @dask.delayed
    def part(i: int) -> dict[str, np.ndarray]:  # stands for reading one partition
        return {k: v[i::partitions] for k, v in today.items()}

    @dask.delayed
    def profile(batch: dict[str, np.ndarray]) -> bytes:
        return monitor.profile_batch(ref, batch).to_bytes()

    blobs = dask.compute(*[profile(part(i)) for i in range(partitions)], scheduler=scheduler)
    prof = monitor.merge_profiles(monitor.DriftProfile.from_bytes(b) for b in blobs)
    assert prof == monitor.profile_batch(ref, today)  # byte-identical to one process
    print(prof.report(ref).table())
    return prof


if __name__ == "__main__":
    main()

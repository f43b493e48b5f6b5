"""The command line end to end on files the tests write: every format, bad files, the exit
codes, the JSON, the scores against the Python API and the article's calculate_psi."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest
from conftest import run_monitor_cli

from monitor import DriftMonitor, Reference
from monitor.cli import COMMAND_MODULES, build_parser, commands, main
from monitor.latency import LatencyHistogram

from oracles import DATA, article_calculate_psi

FEATURES = ["amount", "age", "score"]


def _frame(n: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "amount": np.exp(rng.normal(3.5 + shift, 0.8, n)),
            "age": rng.integers(18, 90, n).astype(np.float64),
            "score": rng.beta(2, 5, n),
        }
    )


def _write(df: pd.DataFrame, path: str) -> str:
    ext = os.path.splitext(path)[1]
    if ext == ".csv":
        df.to_csv(path, index=False)
    elif ext == ".parquet":
        pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path, row_group_size=700)
    elif ext == ".feather":
        feather.write_feather(df, path, chunksize=900)
    elif ext == ".jsonl":
        with open(path, "w") as fh:  # json.dumps: shortest round-trip floats (pandas rounds them)
            for rec in df.to_dict("records"):
                fh.write(json.dumps(rec) + "\n")
    elif ext == ".npy":
        np.save(path, df.to_numpy())
    elif ext == ".npz":
        np.savez(path, **{c: df[c].to_numpy() for c in df.columns})
    else:  # pragma: no cover
        raise AssertionError(ext)
    return path


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    rc = main(list(args))
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.mark.parametrize("ext", [".csv", ".parquet", ".feather", ".jsonl", ".npy", ".npz"])
@pytest.mark.req("MON-REQ-CLI-001")
def test_every_format_fit_and_drift_equal_the_python_api(
    tmp_path: Any, capsys: pytest.CaptureFixture[str], ext: str
) -> None:
    train, cur = _frame(3000, 1), _frame(2000, 2, shift=0.3)
    tr = _write(train, str(tmp_path / f"train{ext}"))
    cu = _write(cur, str(tmp_path / f"cur{ext}"))
    ref_path, out_json = str(tmp_path / "ref.json"), str(tmp_path / "out.json")
    rc, out, err = _cli(capsys, "fit", tr, "-o", ref_path, "--bins", "8", "-q")
    assert rc == 0, err
    rc, out, err = _cli(capsys, "drift", ref_path, cu, "--json", out_json, "-q")
    assert rc in (0, 3), err
    doc = json.load(open(out_json))
    names = FEATURES if ext != ".npy" else ["f0", "f1", "f2"]
    # the Python API on the same data
    ref = Reference.fit(train.to_numpy(), bins=8, names=names)
    assert Reference.load(ref_path) == ref
    assert doc["reference"]["digest"] == ref.digest == json.load(open(ref_path))["digest"]
    dm = DriftMonitor(ref, window=10**9)
    dm.update(cur.to_numpy())
    rep = dm.evaluate()
    (win,) = doc["windows"]
    assert win["rows"] == 2000 and doc["current"]["rows"] == 2000
    for f, g in zip(win["features"], rep.features):
        assert f["name"] == g.name and f["band"] == g.band
        assert g.scores is not None and f["raw"]["psi_raw"] == g.scores.psi_raw  # raw integers, exact
        assert f["raw"]["tv_num"] == g.scores.tv_num and f["psi"] == g.psi
        assert sum(f["bins"]["current"]) == g.count
    assert rc == (3 if rep.band == "significant" else 0)
    assert "verdict" in out or rc in (0, 3)


def test_drift_equals_the_articles_calculate_psi(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    train, cur = _frame(5000, 3), _frame(4000, 4, shift=0.15)
    tr, cu = _write(train, str(tmp_path / "t.csv")), _write(cur, str(tmp_path / "c.csv"))
    ref_path, out_json = str(tmp_path / "ref.json"), str(tmp_path / "o.json")
    assert _cli(capsys, "fit", tr, "-o", ref_path, "-q")[0] == 0
    _cli(capsys, "drift", ref_path, cu, "--json", out_json, "-q")
    doc = json.load(open(out_json))
    for f in doc["windows"][0]["features"]:
        if f["name"] == "age":  # tied integer ages: the article's bins would repeat breakpoints
            continue
        expected = article_calculate_psi(train[f["name"]].to_numpy(), cur[f["name"]].to_numpy())
        assert abs(f["psi"] - expected) <= 1e-9, (f["name"], f["psi"], expected)


@pytest.mark.req("MON-REQ-PY-001")
def test_columns_are_matched_by_name_not_position(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    train, cur = _frame(3000, 5), _frame(3000, 6)
    tr = _write(train, str(tmp_path / "t.csv"))
    a = _write(cur, str(tmp_path / "a.csv"))
    b = _write(cur[["score", "amount", "age"]], str(tmp_path / "b.parquet"))
    ref_path = str(tmp_path / "r.json")
    assert _cli(capsys, "fit", tr, "-o", ref_path, "-q")[0] == 0
    docs = []
    for p in (a, b):
        _cli(capsys, "drift", ref_path, p, "--json", str(tmp_path / "x.json"), "-q")
        docs.append(json.load(open(tmp_path / "x.json"))["windows"][0]["features"])
    assert [f["raw"] for f in docs[0]] == [f["raw"] for f in docs[1]]
    assert all(f["band"] == "none" for f in docs[0])


@pytest.mark.req("MON-REQ-PY-002", "MON-REQ-CLI-001")
def test_bad_inputs_exit_2_with_a_message_naming_the_problem(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    train = _frame(2000, 7)
    tr = _write(train, str(tmp_path / "t.csv"))
    ref_path = str(tmp_path / "r.json")
    assert _cli(capsys, "fit", tr, "-o", ref_path, "-q")[0] == 0

    def expect(args: list[str], *needles: str) -> None:
        rc, out, err = _cli(capsys, *args)
        assert rc == 2, (args, out, err)
        assert "Traceback" not in err
        for n in needles:
            assert n in err, (args, err)

    header = tmp_path / "header.csv"
    header.write_text("amount,age,score\n")
    expect(["drift", ref_path, str(header)], "no data rows")
    expect(["fit", str(header), "-o", str(tmp_path / "h.json")], "no data rows")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("amount,age,score\n1,2,0.5\n3,4\n5,6,0.1\n")
    expect(["drift", ref_path, str(ragged)], "line 3", "ragged")
    renamed = _write(train.rename(columns={"age": "age_years"}), str(tmp_path / "renamed.csv"))
    expect(["drift", ref_path, renamed], "'age'", "age_years", "renamed")
    text = tmp_path / "text.csv"
    text.write_text("amount,age,score\n1,2,0.5\n3,x7,0.5\n")
    expect(["drift", ref_path, str(text)], "'age'", "row 2", "'x7'")
    late = tmp_path / "late.csv"  # the bad value after the first block: the line is still named
    late.write_text("amount,age,score\n" + "1.5,2,0.5\n" * 150_000 + "3,abc,0.5\n")
    expect(["drift", ref_path, str(late), "-q"], "line 150002", "'abc'", "'age'")
    expect(["drift", ref_path, str(tmp_path / "missing.csv")], "no such file")
    expect(["drift", str(tmp_path / "missing.json"), tr], "missing.json")
    bad_ref = tmp_path / "bad.json"
    bad_ref.write_text("{")
    expect(["drift", str(bad_ref), tr], "not valid JSON")
    expect(["drift", ref_path, tr, "--window", "0"], "--window")
    expect(["latency", tr, "--column", "latency_ms"], "'latency_ms'", "amount")
    expect(["fit", tr, "-o", str(tmp_path / "x.json"), "--columns", "nope"], "nope")
    expect(["fit", tr, "-o", str(tmp_path / "x.json"), "--categorical", "nope"], "nope")
    expect(["drift", ref_path, str(tmp_path / "data.xyz")], "extension")
    nan_train = train.assign(score=np.nan)
    expect(
        ["fit", _write(nan_train, str(tmp_path / "n.csv")), "-o", str(tmp_path / "n.json")], "'score'", "NaN"
    )


def test_all_nan_column_and_a_new_category(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(8)
    train = _frame(3000, 8).assign(merchant=rng.choice(["food", "travel", "games"], 3000))
    cur = _frame(3000, 9).assign(merchant=rng.choice(["food", "travel", "games", "crypto"], 3000))
    cur["score"] = np.nan
    tr, cu = _write(train, str(tmp_path / "t.csv")), _write(cur, str(tmp_path / "c.csv"))
    ref_path, oj = str(tmp_path / "r.json"), str(tmp_path / "o.json")
    assert _cli(capsys, "fit", tr, "-o", ref_path, "-q")[0] == 0
    ref = Reference.load(ref_path)
    assert ref["merchant"].kind == "categorical" and set(ref["merchant"].labels or ()) == {
        "food",
        "travel",
        "games",
    }
    rc, out, err = _cli(capsys, "drift", ref_path, cu, "--json", oj, "--html", str(tmp_path / "r.html"), "-q")
    doc = json.load(open(oj))
    feats = {f["name"]: f for f in doc["windows"][0]["features"]}
    # no value to score (PSI band "empty"), and NaN rose from 0 to 100%: a data-quality verdict
    sc = feats["score"]
    assert sc["psi_band"] == "empty" and sc["quality_band"] == "significant" == sc["band"]
    assert sc["nan"] == 3000 and sc["rates"]["nan"] == 1.0 and sc["psi"] is None
    crypto = int((cur["merchant"] == "crypto").sum())
    assert feats["merchant"]["unseen"] == crypto > 0
    assert feats["merchant"]["count"] == 3000  # the unseen label is scored in its own bin
    html = open(tmp_path / "r.html").read()
    assert "merchant" in html and "<svg" in html


@pytest.mark.req("MON-REQ-CLI-001")
def test_window_rows_and_fail_on(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    train = _frame(4000, 10)
    cur = pd.concat([_frame(1000, 11), _frame(1000, 12, shift=0.5), _frame(500, 13)], ignore_index=True)
    tr, cu = _write(train, str(tmp_path / "t.parquet")), _write(cur, str(tmp_path / "c.parquet"))
    ref_path, oj = str(tmp_path / "r.json"), str(tmp_path / "o.json")
    assert _cli(capsys, "fit", tr, "-o", ref_path, "-q")[0] == 0
    rc, out, _ = _cli(capsys, "drift", ref_path, cu, "--window", "1000", "--json", oj, "-q")
    doc = json.load(open(oj))
    assert [(w["start"], w["end"]) for w in doc["windows"]] == [(0, 1000), (1000, 2000), (2000, 2500)]
    bands = [w["band"] for w in doc["windows"]]
    assert bands[1] == "significant" and bands[0] == "none" and rc == 3
    assert "PSI per window" in out
    ref = Reference.load(ref_path)
    dm = DriftMonitor(ref, window=1000)
    dm.update(cur.to_numpy()[1000:2000])
    assert doc["windows"][1]["features"][0]["raw"]["psi_raw"] == dm.evaluate().features[0].scores.psi_raw  # type: ignore[union-attr]
    mild = _frame(3000, 14, shift=0.3)
    mp = _write(mild, str(tmp_path / "m.parquet"))
    _cli(capsys, "drift", ref_path, mp, "--json", oj, "-q")
    band = json.load(open(oj))["windows"][0]["band"]
    assert band == "moderate"
    assert _cli(capsys, "drift", ref_path, mp, "-q")[0] == 0
    assert _cli(capsys, "drift", ref_path, mp, "-q", "--fail-on", "moderate")[0] == 3


def test_latency_command_percentiles_are_the_histograms(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(15)
    lat = rng.lognormal(np.log(20.0), 0.5, 20_000)
    df = pd.DataFrame({"request": np.arange(lat.size), "latency_ms": lat})
    path = _write(df, str(tmp_path / "lat.csv"))
    oj = str(tmp_path / "l.json")
    rc, out, err = _cli(
        capsys, "latency", path, "--column", "latency_ms", "--json", oj, "--html", str(tmp_path / "l.html")
    )
    assert rc == 0, err
    doc = json.load(open(oj))
    h = LatencyHistogram()
    h.record_many(pd.read_csv(path)["latency_ms"].to_numpy(), "ms")
    assert doc["count"] == 20_000 and doc["ns"]["p99"] == h.percentiles()[99] and doc["ns"]["max"] == h.max
    for q, key in ((50, "p50"), (90, "p90"), (99, "p99"), (99.9, "p999")):
        rank = max(1, math.ceil(Fraction(str(q)) / 100 * lat.size))  # nearest rank, exact
        exact = float(np.sort(lat)[rank - 1])
        assert abs(doc["values"][key] - exact) <= exact * doc["relative_error"] * 1.0001 + 1e-6
    assert "P99.9" in out and "count" in out
    html = open(tmp_path / "l.html").read()
    assert "P99.9" in html and "log scale" in html


def test_version_help_and_registry(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("monitor 0.")
    texts = [build_parser().format_help()]
    for name in ("demo", "verify", "fit", "drift", "latency", "rules"):
        with pytest.raises(SystemExit):
            main([name, "--help"])
        texts.append(capsys.readouterr().out)
    with pytest.raises(SystemExit):
        main(["rules", "check", "--help"])
    texts.append(capsys.readouterr().out)
    for t in texts:
        for markup in ("``", ":class:", ":func:", ":mod:", ":meth:", "\n.. "):
            assert markup not in t, (markup, t)
    cmds = commands()
    assert len(cmds) == len(COMMAND_MODULES)
    names = {c.name for c in cmds if c.parent is None}
    assert all(c.parent in names for c in cmds if c.parent is not None)
    with pytest.raises(SystemExit) as exc:
        main(["drift"])  # usage error: argparse's status 2
    assert exc.value.code == 2


def test_rules_check(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _cli(capsys, "rules", "check", os.path.join(DATA, "alert_rules.toml"))
    assert rc == 0 and "OK" in out, err
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rule]]\nname = "x"\nsignal = "latency.p99_ms"\nop = ">"\nthreshold = "500 parsecs"\n')
    rc, out, err = _cli(capsys, "rules", "check", str(bad))
    assert rc == 2 and "threshold" in err and "Traceback" not in err
    broken = tmp_path / "broken.json"
    broken.write_text('{"rule": [\n{"name": "x",\n}]}')
    rc, out, err = _cli(capsys, "rules", "check", str(broken))
    assert rc == 2 and "line 3" in err
    rc, out, err = _cli(capsys, "rules", "check", str(tmp_path / "none.toml"))
    assert rc == 2 and "no such file" in err.lower()


@pytest.mark.slow  # four interpreter start-ups
@pytest.mark.req("MON-REQ-CLI-001")
def test_verify_errors_and_broken_pipe_without_traceback(tmp_path: Any) -> None:
    for arg, needle in ((str(tmp_path / "nope.json"), "no such file"), (str(tmp_path), "directory")):
        proc = run_monitor_cli("verify", arg)
        assert proc.returncode == 2 and needle in proc.stderr and "Traceback" not in proc.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"cases": 5}')
    proc = run_monitor_cli("verify", str(bad))
    assert proc.returncode == 2 and "golden" in proc.stderr and "Traceback" not in proc.stderr
    import subprocess
    import sys

    import monitor

    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(monitor.__file__))))
    p = subprocess.Popen(
        [sys.executable, "-m", "monitor", "demo", "--drift"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=str(tmp_path),
    )
    assert p.stdout is not None and p.stderr is not None
    p.stdout.readline()
    p.stdout.close()  # `| head -1`
    err = p.stderr.read().decode()
    p.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipe" not in err, err


def test_missing_pyarrow_names_the_extra(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    path = _write(_frame(10, 1), str(tmp_path / "t.csv"))
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    rc, _, err = _cli(capsys, "fit", path, "-o", str(tmp_path / "r.json"))
    assert rc == 2 and "monitor[io]" in err
    npy = _write(_frame(100, 1), str(tmp_path / "t.npy"))  # NPY needs only numpy
    assert _cli(capsys, "fit", npy, "-o", str(tmp_path / "r.json"), "-q")[0] == 0


def test_progress_only_on_a_terminal() -> None:
    import io

    from monitor.cli.common import Progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    quiet, plain, tty = Progress(True, Tty()), Progress(False, io.StringIO()), Progress(False, Tty())
    for p in (quiet, plain, tty):
        p._last = -1.0
        p.update(1000)
        p.close()
    assert quiet.stream.getvalue() == "" and plain.stream.getvalue() == ""
    assert "1,000 rows read" in tty.stream.getvalue() and "rows/s" in tty.stream.getvalue()


def test_fifty_feature_report_is_small_and_self_contained(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(16)
    cols: dict[str, Callable[[], Any]] = {}
    train = pd.DataFrame({f"x{i:02d}": rng.normal(0, 1, 2000) for i in range(50)})
    cur = pd.DataFrame({f"x{i:02d}": rng.normal(i / 100, 1, 2000) for i in range(50)})
    tr, cu = _write(train, str(tmp_path / "t.parquet")), _write(cur, str(tmp_path / "c.parquet"))
    ref_path, rep = str(tmp_path / "r.json"), str(tmp_path / "r.html")
    assert _cli(capsys, "fit", tr, "-o", ref_path, "-q")[0] == 0
    _cli(capsys, "drift", ref_path, cu, "--html", rep, "-q")
    html = open(rep).read()
    assert len(html.encode()) < 1_000_000 and html.count("<svg") == 100
    for needle in ("http://", "https://", "<script", "src=", "@import", "url("):
        assert needle not in html.replace('xmlns="http://www.w3.org/2000/svg"', ""), needle
    assert not cols
    # sorted by severity: the summary's first feature is the most drifted one
    first = html.split('<a href="#f-', 1)[1].split('"', 1)[0]
    assert first == "x49"


def test_demo_writes_its_report(tmp_path: Any) -> None:
    rep = tmp_path / "demo.html"
    proc = run_monitor_cli("demo", "--drift", "--html", str(rep))
    assert proc.returncode == 0, proc.stderr
    html = rep.read_text()
    assert "amount" in html and "Latency" in html and "P99.9" in html


def test_format_override_json_to_stdout_and_arrow_streams(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    train, cur = _frame(2000, 20), _frame(1500, 21)
    tr = _write(train, str(tmp_path / "train.csv"))
    odd = tmp_path / "today.data"
    odd.write_text(open(_write(cur, str(tmp_path / "c.csv"))).read())
    stream = str(tmp_path / "today.arrows")
    with (
        pa.OSFile(stream, "wb") as sink,
        pa.ipc.new_stream(sink, pa.Schema.from_pandas(cur, preserve_index=False)) as w,
    ):
        w.write_table(pa.Table.from_pandas(cur, preserve_index=False), max_chunksize=400)
    ref = str(tmp_path / "r.json")
    assert _cli(capsys, "fit", tr, "-o", ref, "-q")[0] == 0
    rc, out, err = _cli(capsys, "drift", ref, str(odd), "-q")
    assert rc == 2 and "--format" in err
    rc, out, err = _cli(capsys, "drift", ref, str(odd), "--format", "csv", "--json", "-", "-q")
    assert rc == 0, err
    a = json.loads(out)
    rc, out, err = _cli(capsys, "drift", ref, stream, "--format", "arrow", "--json", "-", "-q")
    assert rc == 0, err
    b = json.loads(out)
    assert [f["raw"] for f in a["windows"][0]["features"]] == [f["raw"] for f in b["windows"][0]["features"]]
    assert a["current"]["rows"] == b["current"]["rows"] == 1500


def test_report_contributions_add_up_to_the_psi_with_the_out_of_range_bins() -> None:
    import monitor
    from monitor.report.results import drift_window

    rng = np.random.default_rng(0)
    ref = monitor.Reference.fit(
        {"a": rng.normal(size=5000), "c": rng.integers(0, 4, 5000)}, categorical=["c"]
    )
    dm = monitor.DriftMonitor(ref, window=4000)
    dm.update({"a": rng.normal(0.3, size=4000), "c": rng.integers(0, 6, 4000)})  # codes 4, 5 unseen
    feats = {f["name"]: f for f in drift_window(ref, dm)["features"]}
    for f in feats.values():
        assert sum(f["bins"]["psi_contributions"]) == pytest.approx(f["psi"], rel=1e-12)
        assert len(f["bins"]["labels"]) == len(f["bins"]["current"]) == len(f["bins"]["reference"])
    assert feats["c"]["bins"]["labels"][-1] == "(unseen)"
    assert feats["c"]["bins"]["current"][-1] == feats["c"]["unseen"] > 0

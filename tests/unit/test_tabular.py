"""monitor.tabular: named data is matched by name, never by position."""

from __future__ import annotations

import numpy as np
import pytest

from monitor.errors import ConfigMismatchError, InvalidArgumentError, InvalidTypeError
from monitor.tabular import column_names, named_columns, select_columns


@pytest.mark.req("MON-REQ-PY-001")
def test_mapping_selected_by_name_in_expected_order():
    data = {"b": [1.0, 2.0], "a": [3.0, 4.0]}
    a, b = select_columns(data, ["a", "b"])
    assert a.tolist() == [3.0, 4.0] and b.tolist() == [1.0, 2.0]


def test_plain_arrays_are_positional():
    assert column_names(np.zeros((3, 2))) is None
    assert select_columns([[1, 2]], ["a", "b"]) is None
    assert named_columns(np.zeros(3)) == (None, [])


@pytest.mark.req("MON-REQ-PY-001")
def test_record_array_by_name():
    rec = np.array([(1.0, 2), (3.0, 4)], dtype=[("y", "f8"), ("x", "i8")])
    x, y = select_columns(rec, ["x", "y"])
    assert x.tolist() == [2, 4] and y.tolist() == [1.0, 3.0]


@pytest.mark.req("MON-REQ-PY-001")
def test_missing_extra_renamed_are_errors_naming_both_sides():
    with pytest.raises(ConfigMismatchError, match=r"missing \['age'\].*unexpected \['AGE'\].*renamed"):
        select_columns({"AGE": [1], "amount": [2]}, ["age", "amount"])
    with pytest.raises(ConfigMismatchError, match=r"unexpected \['id'\]"):
        select_columns({"id": [1], "a": [2]}, ["a"])
    (a,) = select_columns({"id": [1], "a": [2]}, ["a"], allow_extra=True)
    assert a.tolist() == [2]


def test_non_string_and_duplicate_names_refused():
    with pytest.raises(InvalidTypeError, match="column names must be strings"):
        column_names({0: [1.0]})
    rec = np.zeros(2, dtype=[("a", "f8")])
    assert column_names(rec) == ["a"]
    with pytest.raises(InvalidArgumentError):
        column_names(_FakeFrame(["a", "a"]))


class _FakeFrame:
    """Quacks like a DataFrame, to test duplicate columns without pandas."""

    def __init__(self, columns):
        self.columns = columns
        self.dtypes = None
        self.iloc = None


@pytest.mark.req("MON-REQ-PY-001")
def test_pandas_by_name_and_nullable_to_nan():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"amount": [1.5, 2.5], "age": pd.array([30, None], dtype="Int64")})
    age, amount = select_columns(df, ["age", "amount"])
    assert amount.tolist() == [1.5, 2.5]
    assert age[0] == 30.0 and np.isnan(age[1])


@pytest.mark.req("MON-REQ-PY-001")
def test_arrow_by_name_nulls_to_nan():
    pa = pytest.importorskip("pyarrow")
    t = pa.table({"x": pa.array([1.0, None]), "y": pa.array([1, 2])})
    y, x = select_columns(t, ["y", "x"])
    assert y.tolist() == [1, 2] and x[0] == 1.0 and np.isnan(x[1])
    (x2,) = select_columns(t.to_batches()[0], ["x"], allow_extra=True)
    assert np.isnan(x2[1])

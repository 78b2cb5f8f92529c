"""The error hierarchy: one root, fitting built-ins, structured fields."""

from __future__ import annotations

import pickle

import pytest

import randsupervise
from randsupervise import errors


def test_every_error_has_the_root_and_its_builtin() -> None:
    assert issubclass(errors.ValidationError, ValueError)
    assert issubclass(errors.UnknownIdError, LookupError)
    assert issubclass(errors.CalendarDataMissing, LookupError)
    assert issubclass(errors.IllegalTransition, ValueError)
    for cls in (
        errors.ValidationError,
        errors.UnknownIdError,
        errors.CalendarDataMissing,
        errors.IllegalTransition,
    ):
        assert issubclass(cls, errors.RandSuperviseError)
    assert issubclass(errors.InfeasibleAssignment, errors.RandSuperviseError)


def test_validation_error_keeps_every_problem_and_survives_pickling() -> None:
    problems = [errors.Problem(row=i, id=f"T{i}", field="id", message="bad") for i in range(60)]
    err = errors.ValidationError(problems, what="register")
    assert len(err.problems) == 60 and err.rows == tuple(range(60))
    assert "60 problems" in str(err) and "and 10 more" in str(err)
    again = pickle.loads(pickle.dumps(err))
    assert again.problems == err.problems and str(again) == str(err)
    with pytest.raises(ValueError):
        errors.ValidationError([])
    assert str(errors.ValidationError("plain message")) == "plain message"


def test_problem_renders_only_what_it_knows() -> None:
    assert str(errors.Problem(message="m")) == "m"
    assert str(errors.Problem(field="f", message="m")) == "field 'f': m"


def test_unknown_id_error_names_the_ids() -> None:
    err = errors.UnknownIdError([f"x{i}" for i in range(12)], where="pool")
    assert err.ids[0] == "x0" and "and 2 more" in str(err)


def test_illegal_transition_names_one_or_every_visit() -> None:
    one = errors.IllegalTransition(visit="v1", from_state="drawn", to_state="publish")
    assert one.visits == ("v1",) and "drawn -> publish" in str(one)
    many = errors.IllegalTransition(
        visit="v1",
        from_state="drawn",
        to_state="publish",
        visits=("v1", "v2"),
        from_states=("drawn", "assigned"),
    )
    assert many.visits == ("v1", "v2") and "'v2' (assigned)" in str(many)


def test_calendar_data_missing_names_the_year() -> None:
    err = errors.CalendarDataMissing(2031, covered=(2004, 2026))
    assert err.year == 2031 and "2031" in str(err) and "2004-2026" in str(err)


def test_every_error_is_exported_at_the_root() -> None:
    for name in errors.__all__:
        assert getattr(randsupervise, name) is getattr(errors, name), name

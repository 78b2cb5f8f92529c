"""The error hierarchy: one root, fitting built-ins, structured fields."""

from __future__ import annotations

import pickle

import pytest

from randsupervise.errors import (
    CalendarDataMissing,
    IllegalTransition,
    InfeasibleAssignment,
    Problem,
    RandSuperviseError,
    UnknownIdError,
    ValidationError,
)


def test_every_error_has_the_root_and_its_builtin() -> None:
    assert issubclass(ValidationError, ValueError)
    assert issubclass(UnknownIdError, LookupError)
    assert issubclass(CalendarDataMissing, LookupError)
    assert issubclass(IllegalTransition, ValueError)
    for cls in (ValidationError, UnknownIdError, CalendarDataMissing, IllegalTransition):
        assert issubclass(cls, RandSuperviseError)
    assert issubclass(InfeasibleAssignment, RandSuperviseError)


def test_validation_error_keeps_every_problem_and_survives_pickling() -> None:
    problems = [Problem(row=i, id=f"T{i}", field="id", message="bad") for i in range(60)]
    err = ValidationError(problems, what="register")
    assert len(err.problems) == 60 and err.rows == tuple(range(60))
    assert "60 problems" in str(err) and "and 10 more" in str(err)
    again = pickle.loads(pickle.dumps(err))
    assert again.problems == err.problems and str(again) == str(err)
    with pytest.raises(ValueError):
        ValidationError([])
    assert str(ValidationError("plain message")) == "plain message"


def test_problem_renders_only_what_it_knows() -> None:
    assert str(Problem(message="m")) == "m"
    assert str(Problem(field="f", message="m")) == "field 'f': m"


def test_unknown_id_error_names_the_ids() -> None:
    err = UnknownIdError([f"x{i}" for i in range(12)], where="pool")
    assert err.ids[0] == "x0" and "and 2 more" in str(err)


def test_illegal_transition_names_one_or_every_visit() -> None:
    one = IllegalTransition(visit="v1", from_state="drawn", to_state="publish")
    assert one.visits == ("v1",) and "drawn -> publish" in str(one)
    many = IllegalTransition(
        visit="v1",
        from_state="drawn",
        to_state="publish",
        visits=("v1", "v2"),
        from_states=("drawn", "assigned"),
    )
    assert many.visits == ("v1", "v2") and "'v2' (assigned)" in str(many)


def test_calendar_data_missing_names_the_year() -> None:
    err = CalendarDataMissing(2031, covered=(2004, 2026))
    assert err.year == 2031 and "2031" in str(err) and "2004-2026" in str(err)

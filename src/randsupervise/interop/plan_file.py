"""The annual plan as a TOML file: read and written as text (``docs/howto/plan-file.md``).

Invariants, each with the rule it comes from:

* **Text in, text out.** :func:`plan_from_toml` takes the file's text and
  :func:`plan_to_toml` returns it; only the caller touches files (architecture
  principle 1).
* **Round trip.** ``plan_from_toml(plan_to_toml(plan)) == plan`` for every plan: every
  field of :class:`~randsupervise.cycle.AnnualPlan`, :class:`~randsupervise.cycle.Task`
  and :class:`~randsupervise.cycle.Batch` has its key, dates are TOML dates.
* **One set of rules.** The file is read into the same constructors as a plan built in
  Python, so a value refused there is refused here with the same message (architecture
  principle 8); this module adds only what is about the file: unknown keys, missing
  keys, values of the wrong TOML type.
* **Every problem at once.** A bad file raises one
  :class:`~randsupervise.errors.ValidationError` listing every problem, each with its
  TOML key path (``tasks[2].batches[0].start``) in ``field`` (architecture principle 6).
  A file that is not TOML at all is one problem naming the line and column.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from randsupervise.cycle import AnnualPlan, Batch, CapScope, Task
from randsupervise.errors import Problem, ValidationError


def _toml_reader() -> Any:
    """``tomllib`` (Python 3.11 and later), else ``tomli``, the same parser on PyPI."""
    try:
        return importlib.import_module("tomllib")
    except ImportError:  # pragma: no cover - Python 3.10: tomli, a conditional dependency
        return importlib.import_module("tomli")


tomllib = _toml_reader()

__all__ = ["plan_from_toml", "plan_to_toml"]

_PLAN_KEYS = (
    "year",
    "title",
    "cap_scope",
    "min_yearly_probability",
    "max_yearly_frequency",
    "aligned_tasks",
    "rotation_periods",
    "tasks",
)
_TASK_KEYS = (
    "id",
    "items",
    "lead_department",
    "partner_departments",
    "target_filter",
    "ratios",
    "counts",
    "split",
    "stream",
    "experts",
    "expert_tags",
    "batches",
)
_BATCH_KEYS = ("id", "start", "end")
_REQUIRED_TASK = ("id", "items", "lead_department", "batches")
_WHAT = "plan file"


# ---------------------------------------------------------------------------- reading
def plan_from_toml(text: str) -> AnnualPlan:
    """The annual plan written in ``text`` (TOML; see ``docs/howto/plan-file.md``).

    Raises:
        ValidationError: the text is not TOML, or the plan in it has problems; every
            problem is listed, its ``field`` the TOML key path.

    Examples:
        >>> plan = plan_from_toml('''
        ... year = 2024
        ... [[tasks]]
        ... id = "T1"
        ... items = ["K01"]
        ... lead_department = "执法大队"
        ... ratios = { A = 0.05, D = 1.0 }
        ... [[tasks.batches]]
        ... id = "Q2"
        ... start = 2024-04-01
        ... end = 2024-06-30
        ... ''')
        >>> plan.tasks[0].batches[0].days
        91
        >>> plan_from_toml('year = 2024\\n[[tasks]]\\nid = "T1"\\nratio = 0.1\\n')
        Traceback (most recent call last):
        ...
        randsupervise.errors.ValidationError: plan file: 4 problems:
          field 'tasks[0].ratio': unknown key (expected one of ...)
          field 'tasks[0].items': missing
          field 'tasks[0].lead_department': missing
          field 'tasks[0].batches': missing
    """
    if not isinstance(text, str):
        raise ValidationError(
            [Problem(field="text", message=f"must be str, not {type(text).__name__}")],
            what=_WHAT,
        )
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ValidationError([Problem(message=f"not TOML: {e}")], what=_WHAT) from None
    problems = _unknown(doc, _PLAN_KEYS, "")
    if "year" not in doc:
        problems.append(Problem(field="year", message="missing"))
    raw_tasks = doc.get("tasks", [])
    if not _is_array_of_tables(raw_tasks):
        problems.append(Problem(field="tasks", message="must be an array of tables [[tasks]]"))
        raw_tasks = []
    tasks = [_task(t, f"tasks[{k}]", problems) for k, t in enumerate(raw_tasks)]
    if problems:
        raise ValidationError(problems, what=_WHAT)
    fields = {k: doc[k] for k in _PLAN_KEYS if k in doc and k != "tasks"}
    built = [t for t in tasks if t is not None]  # all of them: no problem was found
    plan: AnnualPlan | None = _build(lambda: AnnualPlan(tasks=built, **fields), "", problems)
    if plan is None:
        raise ValidationError(problems, what=_WHAT)
    return plan


def _is_array_of_tables(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def _unknown(table: Mapping[str, Any], known: tuple[str, ...], path: str) -> list[Problem]:
    return [
        Problem(field=path + k, message=f"unknown key (expected one of {list(known)})")
        for k in table
        if k not in known
    ]


def _build(make: Callable[[], Any], path: str, problems: list[Problem]) -> Any:
    """``make()``, or ``None`` with its problems moved under ``path``."""
    try:
        return make()
    except ValidationError as e:
        for p in e.problems:
            field = p.field
            if path == "" and field == "tasks" and p.row is not None:
                field = f"tasks[{p.row}]"
            where = path + field if field else path.rstrip(".") or None
            problems.append(Problem(message=p.message, id=p.id, field=where, rule=p.rule))
        return None


def _task(raw: Mapping[str, Any], path: str, problems: list[Problem]) -> Task | None:
    before = len(problems)
    problems += _unknown(raw, _TASK_KEYS, path + ".")
    problems += [
        Problem(field=f"{path}.{k}", message="missing") for k in _REQUIRED_TASK if k not in raw
    ]
    raw_batches = raw.get("batches", [])
    if not _is_array_of_tables(raw_batches):
        problems.append(
            Problem(field=f"{path}.batches", message="must be an array of tables [[tasks.batches]]")
        )
        raw_batches = []
    batches = [_batch(b, f"{path}.batches[{j}]", problems) for j, b in enumerate(raw_batches)]
    if len(problems) > before:
        return None
    fields = {k: raw[k] for k in _TASK_KEYS if k in raw and k != "batches"}
    built = [b for b in batches if b is not None]  # all of them: no problem was found
    task: Task | None = _build(lambda: Task(batches=built, **fields), path + ".", problems)
    return task


def _batch(raw: Mapping[str, Any], path: str, problems: list[Problem]) -> Batch | None:
    found = _unknown(raw, _BATCH_KEYS, path + ".")
    found += [Problem(field=f"{path}.{k}", message="missing") for k in _BATCH_KEYS if k not in raw]
    for k in ("start", "end"):
        if isinstance(raw.get(k), str):
            found.append(
                Problem(
                    field=f"{path}.{k}",
                    message=f"must be a TOML date (2024-04-01, without quotes), got {raw[k]!r}",
                )
            )
    problems += found
    if found:
        return None
    batch: Batch | None = _build(lambda: Batch(**raw), path + ".", problems)
    return batch


# ---------------------------------------------------------------------------- writing
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _key(k: str) -> str:
    return k if _BARE_KEY.fullmatch(k) else _string(k)


def _string(s: str) -> str:
    # a JSON string is a TOML basic string, but for DEL, which TOML wants escaped
    return json.dumps(s, ensure_ascii=False).replace("\x7f", "\\u007F")


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)  # "0.05", "1e-05"; "inf" and "nan" are TOML too
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, Mapping):
        return "{ " + ", ".join(f"{_key(str(k))} = {_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"no TOML form for {type(v).__name__}")  # pragma: no cover


def _number(v: Any) -> int | float:
    return v if isinstance(v, int) and not isinstance(v, bool) else float(v)


def _classes(m: Mapping[Any, Any]) -> dict[str, int | float]:
    return {c.name: _number(v) for c, v in m.items()}


def plan_to_toml(plan: AnnualPlan) -> str:
    """``plan`` as the text of a plan file; :func:`plan_from_toml` reads it back equal.

    Examples:
        >>> from randsupervise.cycle.sample import sample_plan
        >>> plan = sample_plan(2024)
        >>> plan_from_toml(plan_to_toml(plan)) == plan
        True
    """
    if not isinstance(plan, AnnualPlan):
        raise ValidationError(
            [Problem(field="plan", message=f"expected AnnualPlan, not {type(plan).__name__}")],
            what="plan_to_toml",
        )
    lines = [f"year = {plan.year}", f"title = {_string(plan.title)}"]
    if plan.cap_scope is not CapScope.CLASS:
        lines.append(f"cap_scope = {_string(plan.cap_scope.value)}")
    if plan.aligned_tasks:
        lines.append(f"aligned_tasks = {_value([list(g) for g in plan.aligned_tasks])}")
    if plan.rotation_periods:
        lines.append(f"rotation_periods = {plan.rotation_periods}")
    for name in ("min_yearly_probability", "max_yearly_frequency"):
        m = getattr(plan, name)
        if m:
            lines += ["", f"[{name}]", *(f"{c} = {_value(v)}" for c, v in _classes(m).items())]
    for t in plan.tasks:
        lines += ["", "[[tasks]]", *_task_lines(t)]
        for b in t.batches:
            lines += ["", "[[tasks.batches]]"]
            lines += [f"{k} = {_value(getattr(b, k))}" for k in _BATCH_KEYS]
    return "\n".join(lines) + "\n"


def _task_lines(t: Task) -> list[str]:
    out = [
        f"id = {_value(t.id)}",
        f"items = {_value(list(t.items))}",
        f"lead_department = {_value(t.lead_department)}",
    ]
    if t.partner_departments:
        out.append(f"partner_departments = {_value(list(t.partner_departments))}")
    if t.target_filter is not None:
        out.append(f"target_filter = {_value(dict(t.target_filter))}")
    if t.ratios:
        out.append(f"ratios = {_value(_classes(t.ratios))}")
    if t.counts:
        out.append(f"counts = {_value(_classes(t.counts))}")
    if t.split:
        out.append("split = true")
    if t.stream != t.id:
        out.append(f"stream = {_value(t.stream)}")
    if t.experts:
        out.append(f"experts = {t.experts}")
    if t.expert_tags:
        out.append(f"expert_tags = {_value(sorted(t.expert_tags))}")
    return out

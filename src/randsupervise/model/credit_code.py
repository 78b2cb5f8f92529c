"""Unified social credit codes (统一社会信用代码), GB 32100-2015.

Invariants (GB 32100-2015, 法人和其他组织统一社会信用代码编码规则):

* A code has 18 characters from the 31-character set ``0-9`` and the capital letters
  except ``I O Z S V``.
* Character 18 is a check character: with character values ``v_i`` (their index in the
  set) and weights ``w_i = 3**(i-1) mod 31`` for ``i = 1..17``,
  ``check = (31 - sum(v_i * w_i) mod 31) mod 31``.
* Character 1 is the registering authority, character 2 the kind of entity, 3-8 the
  administrative division, 9-17 the organisation code. Only the check character and the
  character set are verified here; whether a division code exists is a register's concern.

Validation is usable on its own and vectorised over numpy arrays of strings, so a
ten-million-row register is checked without a Python loop per row.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from randsupervise._core.validation import as_column, describe
from randsupervise.errors import Problem, ValidationError

__all__ = [
    "CREDIT_CODE_CHARSET",
    "credit_code_check_character",
    "credit_code_problems",
    "is_valid_credit_code",
    "valid_credit_code_mask",
]

CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_VALUE = {c: i for i, c in enumerate(CREDIT_CODE_CHARSET)}
# lookup from code point to value; -1 marks characters outside the set
_LUT = np.full(128, -1, dtype=np.int64)
for _c, _v in _VALUE.items():
    _LUT[ord(_c)] = _v


def credit_code_check_character(first17: str) -> str:
    """Return the check character for the first 17 characters of a credit code.

    Raises :class:`~randsupervise.errors.ValidationError` (a ``ValueError``) if
    ``first17`` is not a string of 17 characters from the code's set.

    Examples:
        >>> credit_code_check_character("91350100M000100Y4")
        '3'
    """
    if not isinstance(first17, str) or len(first17) != 17 or any(c not in _VALUE for c in first17):
        raise ValidationError(
            [
                Problem(
                    field="first17",
                    message=f"expected 17 characters from {CREDIT_CODE_CHARSET!r}, got "
                    f"{describe(first17)}",
                )
            ]
        )
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    """Whether ``code`` is a well-formed unified social credit code with a correct check character.

    Lower-case letters are not accepted: the standard's form is upper case.

    Examples:
        >>> is_valid_credit_code("91350100M000100Y43")
        True
        >>> is_valid_credit_code("91350100M000100Y44")
        False
        >>> is_valid_credit_code("91350100M00010")
        False
    """
    if not isinstance(code, str) or len(code) != 18 or any(c not in _VALUE for c in code):
        return False
    return credit_code_check_character(code[:17]) == code[17]


def valid_credit_code_mask(codes: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Vectorised :func:`is_valid_credit_code` over an array of strings.

    Examples:
        >>> valid_credit_code_mask(["91350100M000100Y43", "bad", "91350100M000100Y44"]).tolist()
        [True, False, False]
    """
    arr = np.asarray(codes)
    if arr.dtype.kind != "U":
        arr = arr.astype(str)
    flat = arr.reshape(-1)
    out = np.zeros(flat.shape, dtype=bool)
    lengths = np.char.str_len(flat) if flat.size else np.zeros(0, dtype=np.int64)
    rows = np.flatnonzero(lengths == 18)
    if rows.size:
        # fixed-width view: one code point per character, padded with zeros past the end
        width = flat.dtype.itemsize // 4
        cps = flat[rows].astype(f"<U{max(width, 18)}").view("<u4").reshape(rows.size, -1)[:, :18]
        cps = cps.astype(np.int64)
        in_ascii = (cps < 128).all(axis=1)
        vals = _LUT[np.where(cps < 128, cps, 0)]
        ok = in_ascii & (vals >= 0).all(axis=1)
        total = (vals[:, :17] * np.asarray(_WEIGHTS, dtype=np.int64)).sum(axis=1)
        check = (31 - total % 31) % 31
        ok &= check == vals[:, 17]
        out[rows] = ok
    result: npt.NDArray[np.bool_] = out.reshape(arr.shape)
    return result


def credit_code_problems(codes: Iterable[str]) -> list[tuple[int, str]]:
    """Return ``(position, code)`` for every invalid code, in input order.

    Examples:
        >>> credit_code_problems(["91350100M000100Y43", "X"])
        [(1, 'X')]
    """
    col = as_column(codes, "codes", what="credit_code_problems")
    given = col.tolist() if isinstance(col, np.ndarray) else col
    # a value that is not a str is invalid, and reported by its repr
    shown = [c if isinstance(c, str) else describe(c) for c in given]
    arr = np.asarray([c if isinstance(c, str) else "" for c in given], dtype=str)
    if not arr.size:
        return []
    bad = np.flatnonzero(~valid_credit_code_mask(arr))
    return [(int(i), shown[i]) for i in bad.tolist()]

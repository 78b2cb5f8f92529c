"""Canonical JSON and digests: the one rule every receipt and digest is written with.

Invariants (architecture principle 4; ``docs/spec/receipts.md``):

* **Form ``jcs``** (receipts of version 2 and later) is RFC 8785, the JSON
  Canonicalization Scheme: object members sorted by the UTF-16 code units of their names,
  no whitespace, strings escaped as ``JSON.stringify`` does (only ``"``, ``\\``, and the
  control characters below U+0020; everything else written as UTF-8), numbers written as
  ECMAScript's ``Number.prototype.toString`` writes them (``1.0`` is ``1``, ``1e-7`` is
  ``1e-7``). A JavaScript reader gets the same text from ``JSON.stringify`` with sorted
  keys, so an outsider needs no library of ours.
* **Form ``v1``** (receipts of version 1, kept so they verify forever): Python's
  ``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``:
  keys sorted by code point, floats in Python's shortest ``repr`` (``1.0``, ``1e-07``).
* Values that have no canonical form are refused with ``ValueError``: NaN and
  infinities, integers beyond 2^53 in magnitude (``jcs``: not exact in every reader),
  strings holding lone surrogates (no UTF-8 form), non-string keys.
* The digest of a value is the lower-case hex SHA-256 of its canonical text in UTF-8.
* Long lists (a receipt's million selected ids, tickets and probabilities) take fast
  paths that write exactly the bytes of the element-by-element rule: a list of ``str``
  through the C ``json`` encoder (whose escapes are RFC 8785's: ``\\uXXXX`` in lower-case
  hex for the other control characters), a list of ``float`` through one vectorised check
  that each ``repr`` already is the ECMAScript form (not integral, ``1e-4 <= |x| < 1e15``,
  where ``repr`` writes no exponent), integral floats below 2^53 as integers, and only the
  rest through :func:`jcs_number`. A test holds the fast form equal to the plain recursion
  on arbitrary JSON values.
* A long :class:`~randsupervise._core.frozen.FrozenList` keeps what the fast paths derive
  from it (its element type, its joined strings, its canonical text) in
  :meth:`~randsupervise._core.frozen.FrozenList.derived`: a receipt's digest and its JSON
  read each list once. The texts are the ones the rules above write; only when they are
  computed changes.
* A list backed by a numpy array (:func:`~randsupervise._core.frozen.deferred`: ids and
  hex tickets as rows of ASCII bytes from :func:`string_list`, probabilities as floats)
  is written from the array, without making its Python objects: the rows of ids are
  quoted and joined by one vectorised copy (for the readable form with its separator),
  floats go through the paths above from the array. The bytes are those of the list.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar

import numpy as np
import numpy.typing as npt

from randsupervise._core.frozen import FrozenList, deferred, frozen_leaves

__all__ = [
    "Form",
    "canonical_json",
    "digest",
    "jcs_number",
    "json_text",
    "keep_text",
    "sha256_hex",
    "string_list",
]

Form = Literal["jcs", "v1"]
_MAX_EXACT = 2**53
#: Lists shorter than this go through the plain recursion (the fast paths' set-up costs more).
_FAST_MIN = 16
_CONTROL = bytes(range(0x20))
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
_T = TypeVar("_T")


def _memo(value: list[Any] | tuple[Any, ...], key: str, make: Callable[[Any], _T]) -> _T:
    """``make(value)``, kept with ``value`` when it is a frozen list (it cannot change)."""
    if not isinstance(value, FrozenList):
        return make(value)
    derived = value.derived()
    if key not in derived:
        derived[key] = make(value)
    out: _T = derived[key]
    return out


def _one_kind(value: list[Any] | tuple[Any, ...]) -> type | None:
    kinds = set(map(type, value))
    return kinds.pop() if len(kinds) == 1 else None


def _kind(value: list[Any] | tuple[Any, ...]) -> type | None:
    """The one type of every element of ``value``, or ``None`` for mixed types."""
    return _memo(value, "kind", _one_kind)


def jcs_number(x: float | int) -> str:
    """The RFC 8785 (ECMAScript) text of a number.

    Examples:
        >>> [jcs_number(v) for v in (1.0, 0.1, 1e-7, 1e21, 123456789012345680000.0, -0.0, 5)]
        ['1', '0.1', '1e-7', '1e+21', '123456789012345680000', '0', '5']
    """
    if isinstance(x, bool):
        raise ValueError("a bool is not a number")
    if isinstance(x, int):
        if abs(x) > _MAX_EXACT:
            raise ValueError(f"integer {x} is beyond 2^53: not exact in every JSON reader")
        return str(x)
    if not math.isfinite(x):
        raise ValueError(f"{x!r} has no JSON form")
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    r = repr(abs(x))
    mant, _, exp = r.partition("e")
    ip, _, fp = mant.partition(".")
    digits = ip + fp
    point = len(ip) + (int(exp) if exp else 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k, n = len(digits), point
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        body = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        esign = "+" if e >= 0 else "-"
        head = digits[0] + ("." + digits[1:] if k > 1 else "")
        body = f"{head}e{esign}{abs(e)}"
    return sign + body


def _string(s: str) -> str:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"string {s!r} holds a lone surrogate: it has no UTF-8 form") from None
    return json.dumps(s, ensure_ascii=False)


def _jcs(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, int | float):
        out.append(jcs_number(value))
    elif isinstance(value, Mapping):
        keys = list(value)
        if not all(isinstance(k, str) for k in keys):
            raise ValueError("object keys must be strings")
        out.append("{")
        for i, k in enumerate(sorted(keys, key=lambda k: k.encode("utf-16-be", "surrogatepass"))):
            if i:
                out.append(",")
            out.append(_string(k))
            out.append(":")
            _jcs(value[k], out)
        out.append("}")
    elif isinstance(value, list | tuple):
        fast = _memo(value, "jcs", _bulk) if len(value) >= _FAST_MIN else None
        if fast is not None:
            out.append(fast)
            return
        out.append("[")
        for i, v in enumerate(value):
            if i:
                out.append(",")
            _jcs(v, out)
        out.append("]")
    else:
        raise ValueError(f"{type(value).__name__} is not a JSON value")


def _bulk(value: list[Any] | tuple[Any, ...]) -> str | None:
    """The canonical text of a long list written in bulk, or ``None`` (the caller recurses)."""
    fast = _fast_list(value)
    if fast is None and _float_free(value):
        fast = _SORTED.encode(value)
        if not fast.isascii() and not _has_utf8(fast):
            fast = None  # a lone surrogate: the recursion names the string
    return fast


def _float_free(value: Any) -> bool:
    """Whether ``value`` holds no float and no integer beyond 2^53, and every object key
    is ASCII: then Python's ``json.dumps(sort_keys=True)`` writes exactly the RFC 8785
    text (keys in code-point order equal UTF-16 order for ASCII; strings, integers,
    ``true``/``false``/``null`` are written alike). Records such as teams take this path."""
    if value is None or isinstance(value, bool | str):
        return True
    if isinstance(value, int):
        return -_MAX_EXACT <= value <= _MAX_EXACT
    if isinstance(value, Mapping):
        return all(isinstance(k, str) and k.isascii() for k in value) and all(
            map(_float_free, value.values())
        )
    if isinstance(value, list | tuple):
        return all(map(_float_free, value))
    return False


def keep_text(records: FrozenList) -> FrozenList:
    """``records`` itself, with its canonical text written now by the C encoder and kept
    with it (module notes), without the walk of :func:`_float_free` over every value.

    The caller knows what the walk would find: every value is a string, an integer
    within 2^53, a bool, ``None``, or a list or object of these, and every object key is
    below U+D800 (there code-point order is UTF-16 order). Engine records such as teams
    (ids and department names) are built so. A string with a lone surrogate still leaves
    the list to the recursion, which names it.

    Examples:
        >>> from randsupervise._core.frozen import freeze, thaw
        >>> teams = freeze([{"visit": f"V{k}", "officers": ["a", "b"]} for k in range(20)])
        >>> canonical_json(keep_text(teams)) == canonical_json(thaw(teams))
        True
    """
    if len(records) >= _FAST_MIN and "jcs" not in records.derived():
        text: str | None = _SORTED.encode(records)
        if text is not None and not text.isascii() and not _has_utf8(text):
            text = None
        records.derived()["jcs"] = text
    return records


def _has_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _fast_list(value: list[Any] | tuple[Any, ...]) -> str | None:
    """The canonical text of a list of only ``str``, only ``float`` or only ``int``, written
    in bulk; ``None`` for any other list (the caller recurses)."""
    kind = _kind(value)
    if kind is str:
        return _str_list(value)
    if kind is float:
        return _float_list(value)
    if kind is int:
        if max(value) > _MAX_EXACT or min(value) < -_MAX_EXACT:
            return None  # the recursion names the integer
        return _COMPACT.encode(list(value))
    return None


_SORTED = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _unescaped(value: list[Any] | tuple[Any, ...]) -> str | None:
    return _memo(value, "unescaped", _join_unescaped)


def _cells(value: list[Any] | tuple[Any, ...]) -> npt.NDArray[np.uint8] | None:
    """The rows of printable ASCII a list from :func:`string_list` is backed by, if any."""
    if isinstance(value, FrozenList):
        cells: npt.NDArray[np.uint8] | None = value.derived().get("cells")
        return cells
    return None


def _join_unescaped(value: list[Any] | tuple[Any, ...]) -> str | None:
    """``'["a","b"]'`` for a list of strings none of which needs an escape (ids and hex
    tickets), else ``None``. One join, then checks that run at memory speed: no quote
    but the separators', no backslash, no control character; from the rows of a list
    backed by them, one vectorised copy and no check."""
    cells = _cells(value)
    if cells is not None:
        return _quoted(cells, ",", "[", "]")
    text = '["' + '","'.join(value) + '"]'
    if text.count('"') != 2 * len(value) or "\\" in text:
        return None
    if text.isascii():
        clean = len(text.encode("ascii").translate(None, _CONTROL)) == len(text)
    else:
        clean = _NEEDS_ESCAPE.search(text) is None
    return text if clean else None


def _str_list(value: list[Any] | tuple[Any, ...]) -> str | None:
    text = _unescaped(value)
    if text is None:
        text = _COMPACT.encode(list(value))
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return None  # a lone surrogate: the recursion names the string
    return text


#: Bytes an id may not hold to be written between quotes as it is: all but printable
#: ASCII, and ``"`` and ``\\`` (NUL, the padding of a shorter string in a numpy array, too).
_NOT_PLAIN = bytes(b for b in range(256) if not 0x20 <= b < 0x7F or b in b'"\\')


def string_list(strings: npt.NDArray[Any], *, plain: bool = False) -> FrozenList:
    """The strings of a numpy string array (``str_`` or ASCII ``bytes_``) as a frozen list
    of ``str``, in order.

    When every string is printable ASCII without ``"`` or ``\\`` and fills the array's
    width (ids of one length, hex tickets), the list is backed by a copy of those bytes,
    one row per string, and its ``str`` objects are not made until a reading needs them
    all (:func:`~randsupervise._core.frozen.deferred`): its canonical text ``["a","b"]``
    and its readable text are each written from the rows by one vectorised copy, with no
    check per element (module notes). Any other array is converted element by element.

    ``plain=True`` says the caller knows that already (hex digits of one width): the
    check is skipped.

    Examples:
        >>> ids = string_list(np.array(["T01", "T02"] * 8))
        >>> canonical_json(ids)[:13], type(ids).__name__, ids[1]
        ('["T01","T02",', '_Deferred', 'T02')
        >>> ids[:2], canonical_json(ids) == canonical_json(list(ids)), type(ids).__name__
        (['T01', 'T02'], True, 'FrozenList')
        >>> string_list(np.array(["a", "网吧"]))
        ['a', '网吧']
    """
    kind = strings.dtype.kind
    if kind not in "SU" or strings.ndim != 1:
        raise ValueError(f"not a column of strings: {strings.dtype}, {strings.ndim} dimensions")
    if not strings.size or not strings.dtype.itemsize:
        return _each_string(strings)
    # one row of code points per string (UCS-4 in this machine's byte order, or bytes)
    native = strings.dtype.newbyteorder("=")
    codes = np.ascontiguousarray(strings, dtype=native).view(np.uint32 if kind == "U" else np.uint8)
    codes = codes.reshape(strings.size, -1)
    if kind == "U" and codes.max() >= 0x80:
        return _each_string(strings)
    cells = np.array(codes, dtype=np.uint8)  # a copy the list owns
    if not plain:
        raw = cells.tobytes()
        if len(raw.translate(None, _NOT_PLAIN)) != len(raw):
            return _each_string(strings)
    out = deferred(str, cells, fill=_split_ids, at=lambda i: cells[i].tobytes().decode("ascii"))
    out.derived()["cells"] = cells
    return out


def _split_ids(value: FrozenList) -> list[str]:
    """The strings of a list backed by plain cells, split from its canonical text (written
    once and kept: a digest needs it anyway)."""
    cells = value.derived()["cells"]
    text: str = _memo(value, "unescaped", lambda _: _quoted(cells, ",", "[", "]"))
    return text[2:-2].split('","')


def _quoted(cells: npt.NDArray[np.uint8], sep: str, head: str = "", tail: str = "") -> str:
    """``head + sep.join('"' + row + '"' for row in cells) + tail`` for rows of printable
    ASCII bytes (no quote, no backslash), written by one vectorised copy: each output row
    is a record of a quote, the id's bytes, a quote and the separator."""
    n, w = cells.shape
    h, k, step = len(head), len(sep), w + 2 + len(sep)
    end = h + n * step - k
    buf = np.empty(h + n * step + len(tail), dtype=np.uint8)
    buf[:h] = np.frombuffer(head.encode("ascii"), dtype=np.uint8)
    record = np.dtype(
        {"names": ["open", "id", "close"], "formats": ["u1", f"V{w}", f"V{k + 1}"],
         "offsets": [0, 1, w + 1], "itemsize": step}
    )  # fmt: skip
    rows = buf[h : h + n * step].view(record)
    rows["open"] = ord('"')
    rows["id"] = np.ascontiguousarray(cells).view(f"V{w}")[:, 0]
    rows["close"] = np.frombuffer(('"' + sep).encode("ascii"), dtype=f"V{k + 1}")[0]
    buf[end : end + len(tail)] = np.frombuffer(tail.encode("ascii"), dtype=np.uint8)
    return str(buf[: end + len(tail)].data, "ascii")


def _each_string(strings: npt.NDArray[Any]) -> FrozenList:
    if strings.dtype.kind == "S":
        strings = np.char.decode(strings, "ascii")
    return frozen_leaves(strings.tolist(), str)


def _floats(value: list[Any] | tuple[Any, ...]) -> npt.NDArray[np.float64]:
    return _memo(value, "array", lambda v: np.asarray(v, dtype=np.float64))


def _repeated(text: str, sep: str, n: int) -> str:
    """``sep.join([text] * n)`` for ``n >= 1``, by one repetition (a copy of memory)."""
    return (text + sep) * (n - 1) + text


def _float_list(value: list[Any] | tuple[Any, ...]) -> str | None:
    x = _floats(value)
    if not np.isfinite(x).all():
        return None  # the recursion names the value
    if (x == x[0]).all():  # a stratum's equal probabilities: one text, repeated
        return "[" + _repeated(jcs_number(float(x[0])), ",", x.size) + "]"
    a = np.abs(x)
    integral = x == np.trunc(x)
    # repr writes no exponent from 1e-4 (decimal point at -3) to below 1e16: there, and
    # for a value with a fraction, repr's shortest digits are the ECMAScript text
    plain = ~integral & (a >= 1e-4) & (a < 1e15)
    if plain.all():
        return _COMPACT.encode(x.tolist())
    exact = integral & (a < _MAX_EXACT)  # the integer itself (-0.0 is 0)
    if exact.all():
        return _COMPACT.encode(x.astype(np.int64).tolist())
    texts = np.empty(x.size, dtype=object)
    if plain.any():
        texts[plain] = list(map(float.__repr__, x[plain].tolist()))
    if exact.any():
        texts[exact] = list(map(str, x[exact].astype(np.int64).tolist()))
    rest = np.flatnonzero(~(plain | exact))
    texts[rest] = [jcs_number(v) for v in x[rest].tolist()]
    return "[" + ",".join(texts.tolist()) + "]"


def canonical_json(value: Any, form: Form = "jcs") -> str:
    """The canonical JSON text of ``value`` in ``form`` (see the module notes).

    Raises:
        ValueError: ``value`` has no canonical form (NaN, a lone surrogate, ...).

    Examples:
        >>> canonical_json({"b": [1.0, 2.5], "a": "网吧"})
        '{"a":"网吧","b":[1,2.5]}'
        >>> canonical_json({"b": [1.0, 2.5], "a": "网吧"}, "v1")
        '{"a":"网吧","b":[1.0,2.5]}'
    """
    return "".join(_pieces(value, form))


def _pieces(value: Any, form: Form) -> list[str]:
    """The canonical text of ``value`` in pieces (a long list's text is one piece)."""
    if form == "v1":
        return [
            json.dumps(
                value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
            )
        ]
    if form != "jcs":
        raise ValueError(f"unknown canonical form {form!r}")
    out: list[str] = []
    _jcs(value, out)
    return out


def digest(value: Any, form: Form = "jcs") -> str:
    """Lower-case hex SHA-256 of the UTF-8 bytes of ``canonical_json(value, form)``.

    Examples:
        >>> digest({"a": 1}) == digest({"a": 1.0})
        True
        >>> digest({"a": 1}, "v1") == digest({"a": 1.0}, "v1")
        False
    """
    h = hashlib.sha256()
    for piece in _pieces(value, form):  # piece by piece: the whole text is never joined
        h.update(piece.encode("utf-8"))
    return h.hexdigest()


def sha256_hex(value: Any) -> str:
    """``digest(value, "v1")``: the digest of version-1 records (input digests of registers'
    neighbours: items, pools, plans, visits; ``docs/spec/digests.md``), kept as it was.

    Examples:
        >>> sha256_hex({"a": 1}) == digest({"a": 1}, "v1")
        True
    """
    return digest(value, "v1")


_PLAIN = json.JSONEncoder(ensure_ascii=False, allow_nan=False)


def json_text(value: Any, *, indent: int | None = None) -> str:
    """Exactly ``json.dumps(value, ensure_ascii=False, indent=indent, allow_nan=False)``
    (the readable, not the canonical, form), with long lists of ids, hex tickets and equal
    probabilities written in bulk: ``json.dumps`` with an indent runs the pure-Python
    encoder, a call per element.

    Examples:
        >>> json_text({"a": ["x"] * 2, "b": []}, indent=1)
        '{\\n "a": [\\n  "x",\\n  "x"\\n ],\\n "b": []\\n}'
    """
    out: list[str] = []
    _readable(value, out, indent, 0)
    return "".join(out)


def _readable(value: Any, out: list[str], indent: int | None, level: int) -> None:
    if isinstance(value, Mapping) and all(type(k) is str for k in value):
        items: Any = value.items()
        opener, closer = "{", "}"
    elif isinstance(value, list | tuple):
        items = value
        opener, closer = "[", "]"
    else:
        out.append(_PLAIN.encode(value))
        return
    if not value:
        out.append(opener + closer)
        return
    if indent is None:
        sep, first, last = ", ", "", ""
    else:
        first = "\n" + " " * (indent * (level + 1))
        sep, last = "," + first, "\n" + " " * (indent * level)
    out.append(opener + first)
    if closer == "]":
        bulk = _readable_list(value, sep) if len(value) >= _FAST_MIN else None
        if bulk is not None:
            out.append(bulk)
        else:
            for i, v in enumerate(items):
                if i:
                    out.append(sep)
                _readable(v, out, indent, level + 1)
    else:
        for i, (k, v) in enumerate(items):
            if i:
                out.append(sep)
            out.append(_PLAIN.encode(k) + ": ")
            _readable(v, out, indent, level + 1)
    out.append(last + closer)


def _readable_list(value: list[Any] | tuple[Any, ...], sep: str) -> str | None:
    kind = _kind(value)
    cells = _cells(value)
    if cells is not None:
        return _quoted(cells, sep)
    if kind is str:
        text = _unescaped(value)
        if text is None:
            return None
        if text.count(",") == len(value) - 1:  # every comma a separator: rewrite them
            return text[1:-1].replace('","', '"' + sep + '"')
        return '"' + ('"' + sep + '"').join(value) + '"'
    if kind is float:
        x0 = value[0]
        # repr of equal nonzero floats is one text (0.0 and -0.0 are equal but differ)
        x = _floats(value)
        if x0 != 0 and math.isfinite(x0) and (x == x0).all():
            return _repeated(float.__repr__(x0), sep, len(value))
        if np.isfinite(x).all():  # json writes a finite float as its repr
            return sep.join(map(float.__repr__, x.tolist()))
    return None

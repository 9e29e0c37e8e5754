"""The ``--where`` filter language, parsed into SQLAlchemy expressions (never pasted into SQL).

Grammar (keywords are case-insensitive)::

    expr       := term ("or" term)*
    term       := factor ("and" factor)*
    factor     := "not" factor | "(" expr ")" | comparison
    comparison := NAME op value | NAME ["not"] "in" "(" value ("," value)* ")"
                | NAME "is" ["not"] "null"
    op         := "==" | "=" | "!=" | "<" | "<=" | ">" | ">="
    value      := NUMBER | "text" | 'text' | true | false

NAME is a column of the queried table (typed or a condition column such as ``il7``) or
``run_id`` / ``command``. Values are bound parameters. A comparison on a row without that
column (or with NULL) is false, so ``x != 1`` does not match rows where ``x`` is missing.

>>> tokens("auc > 300 and drug_a == 'prednisolone'")[:4]
[('name', 'auc'), ('op', '>'), ('number', 300), ('name', 'and')]
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sqlalchemy as sa

from tallrx.errors import InputError, did_you_mean

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![A-Za-z_]))
    | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op>==|!=|<=|>=|=|<|>)
    | (?P<punct>[(),])
    )""",
    re.VERBOSE,
)
_OPS = {"==": "__eq__", "=": "__eq__", "!=": "__ne__", "<": "__lt__", "<=": "__le__",
        ">": "__gt__", ">=": "__ge__"}
_KEYWORDS = {"and", "or", "not", "in", "is", "null", "true", "false"}
HELP = ("e.g. --where \"auc > 300 and drug_a == 'prednisolone' and il7_responsive == true\" "
        "(and / or / not, parentheses, == != < <= > >=, in (...), is null)")


def tokens(text: str) -> list[tuple[str, object]]:
    """Split a filter into (kind, value) tokens; anything else is an InputError."""
    out: list[tuple[str, object]] = []
    pos, text = 0, str(text)
    while pos < len(text.rstrip()):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise InputError(f"--where: cannot read {text[pos:].strip()[:30]!r} at character "
                             f"{pos + 1}; {HELP}")
        kind = m.lastgroup
        raw = m.group(kind)
        if kind == "number":
            value: object = float(raw) if any(c in raw for c in ".eE") else int(raw)
        elif kind == "string":
            value = re.sub(r"\\(.)", r"\1", raw[1:-1])
        else:
            value = raw
        out.append((kind, value))
        pos = m.end()
    return out


class Column:
    """A filterable column: ``expr`` for each value type (None: comparisons need a cast)."""

    def __init__(self, name: str, kind: str, get: Callable[[str], sa.ColumnElement]):
        self.name, self.kind, self._get = name, kind, get

    def compare(self, op: str, value: object) -> sa.ColumnElement:
        """``column OP value`` as a SQL expression with ``value`` bound."""
        vkind = _value_kind(value)
        if self.kind not in ("json", vkind) and not (self.kind == "int" and vkind == "float") \
                and not (self.kind == "float" and vkind == "int"):
            raise InputError(f"--where: column '{self.name}' holds {self.kind} values, "
                             f"compared with {value!r}; {_hint(self.kind)}")
        if vkind == "bool" and op not in ("==", "=", "!="):
            raise InputError(f"--where: '{self.name} {op} {value}': booleans take == or != only")
        col = self._get(vkind)
        return getattr(col, _OPS[op])(value)

    def is_null(self) -> sa.ColumnElement:
        return self._get("null").is_(None)


def _value_kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "float"
    return "text"


def _hint(kind: str) -> str:
    return {"text": "quote the value, e.g. 'PDX01'", "bool": "use true or false",
            "float": "use a number", "int": "use a number"}.get(kind, HELP)


class _Parser:
    def __init__(self, toks: list[tuple[str, object]], columns: dict[str, Column]):
        self.toks, self.i, self.columns = toks, 0, columns

    def peek(self, offset: int = 0) -> tuple[str, object] | None:
        j = self.i + offset
        return self.toks[j] if j < len(self.toks) else None

    def word(self, offset: int = 0) -> str | None:
        tok = self.peek(offset)
        return str(tok[1]).lower() if tok and tok[0] == "name" else None

    def take(self, kind: str, value: object = None, what: str = "") -> object:
        tok = self.peek()
        ok = tok is not None and tok[0] == kind and (
            value is None or str(tok[1]).lower() == value)
        if not ok:
            got = "the end" if tok is None else repr(tok[1])
            raise InputError(f"--where: expected {what or value or kind}, got {got}; {HELP}")
        self.i += 1
        return tok[1]

    def parse(self) -> sa.ColumnElement:
        if not self.toks:
            raise InputError(f"--where: empty filter; {HELP}")
        expr = self.expr()
        if self.peek() is not None:
            raise InputError(f"--where: unexpected {self.peek()[1]!r} after a complete "
                             f"condition (join conditions with and / or); {HELP}")
        return expr

    def chain(self, keyword: str, part: Callable[[], sa.ColumnElement],
              join: Callable[..., sa.ColumnElement]) -> sa.ColumnElement:
        """``part (keyword part)*`` joined with ``join``."""
        parts = [part()]
        while self.word() == keyword:
            self.i += 1
            parts.append(part())
        return parts[0] if len(parts) == 1 else join(*parts)

    def expr(self) -> sa.ColumnElement:
        return self.chain("or", self.term, sa.or_)

    def term(self) -> sa.ColumnElement:
        return self.chain("and", self.factor, sa.and_)

    def factor(self) -> sa.ColumnElement:
        if self.word() == "not":
            self.i += 1
            return sa.not_(self.factor())
        tok = self.peek()
        if tok == ("punct", "("):
            self.i += 1
            inner = self.expr()
            self.take("punct", ")", "')'")
            return inner
        return self.comparison()

    def column(self) -> Column:
        name = str(self.take("name", what="a column name"))
        if name.lower() in _KEYWORDS:
            raise InputError(f"--where: expected a column name, got keyword '{name}'; {HELP}")
        if name not in self.columns:
            raise InputError(f"--where: unknown column '{name}'.{did_you_mean(name, self.columns)}"
                             f" Columns: {', '.join(sorted(self.columns))}")
        return self.columns[name]

    def value(self) -> object:
        tok = self.peek()
        if tok is None:
            raise InputError(f"--where: expected a value, got the end; {HELP}")
        kind, raw = tok
        self.i += 1
        if kind in ("number", "string"):
            return raw
        if kind == "name" and str(raw).lower() in ("true", "false"):
            return str(raw).lower() == "true"
        raise InputError(f"--where: expected a value (number, 'text', true, false), got "
                         f"{raw!r}; quote text values; {HELP}")

    def comparison(self) -> sa.ColumnElement:
        col = self.column()
        if self.word() == "is":
            self.i += 1
            negate = self.word() == "not"
            self.i += negate
            self.take("name", "null", "null")
            return sa.not_(col.is_null()) if negate else col.is_null()
        negate = self.word() == "not" and self.word(1) == "in"
        self.i += negate
        if self.word() == "in":
            self.i += 1
            self.take("punct", "(", "'('")
            values = [self.value()]
            while self.peek() == ("punct", ","):
                self.i += 1
                values.append(self.value())
            self.take("punct", ")", "')'")
            expr = sa.or_(*(col.compare("==", v) for v in values))
            return sa.not_(expr) if negate else expr
        op = str(self.take("op", what="a comparison (== != < <= > >= in is)"))
        return col.compare(op, self.value())


def parse_where(text: str, columns: dict[str, Column]) -> sa.ColumnElement:
    """Parse ``text`` into a SQLAlchemy boolean expression over ``columns``."""
    return _Parser(tokens(text), columns).parse()

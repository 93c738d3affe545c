"""A parser for DQDL, the AWS Glue Data Quality Definition Language.

It reads the whole language as AWS documents it (`Rules = [...]`, `Analyzers = [...]`, `let`
constants, composite rules with and/or, `where`, `with threshold`, `labels`, dynamic-rule
functions), so a ruleset that Glue accepts parses here. What the local evaluator can run is a
smaller set, checked by `orderlake.quality.evaluate.check_supported`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from orderlake.errors import OrderlakeError

# Every rule type on AWS's DQDL rule type reference, with how many quoted parameters it takes
# and whether it needs a condition (an expression such as `> 0.9`).
REQUIRED, OPTIONAL, NONE = "required", "optional", "none"
RULE_TYPES: dict[str, tuple[int, int, str]] = {
    "AggregateMatch": (2, 2, REQUIRED),
    "ColumnCorrelation": (2, 2, REQUIRED),
    "ColumnCount": (0, 0, REQUIRED),
    "ColumnDataType": (1, 1, REQUIRED),
    "ColumnExists": (1, 1, NONE),
    "ColumnLength": (1, 1, REQUIRED),
    "ColumnNamesMatchPattern": (1, 1, NONE),
    "ColumnValues": (1, 1, REQUIRED),
    "Completeness": (1, 1, REQUIRED),
    "CustomSql": (1, 1, OPTIONAL),
    "DataFreshness": (1, 1, REQUIRED),
    "DatasetMatch": (2, 3, REQUIRED),
    "DistinctValuesCount": (1, 1, REQUIRED),
    "Entropy": (1, 1, REQUIRED),
    "IsComplete": (1, 1, NONE),
    "IsPrimaryKey": (1, 16, NONE),
    "IsUnique": (1, 1, NONE),
    "Mean": (1, 1, REQUIRED),
    "ReferentialIntegrity": (2, 2, REQUIRED),
    "RowCount": (0, 1, REQUIRED),
    "RowCountMatch": (1, 1, REQUIRED),
    "StandardDeviation": (1, 1, REQUIRED),
    "Sum": (1, 1, REQUIRED),
    "SchemaMatch": (1, 1, REQUIRED),
    "Uniqueness": (1, 1, REQUIRED),
    "UniqueValueRatio": (1, 1, REQUIRED),
    "DetectAnomalies": (1, 2, NONE),
    "FileFreshness": (1, 1, OPTIONAL),
    "FileMatch": (1, 2, OPTIONAL),
    "FileSize": (1, 1, REQUIRED),
    "FileUniqueness": (1, 1, OPTIONAL),
}
# Analyzers may name a rule type with no condition at all.
SECTIONS = ("Rules", "Analyzers")
KEYWORD_VALUES = ("NULL", "EMPTY", "WHITESPACES_ONLY")
COMPARATORS = ("=", "!=", ">=", "<=", ">", "<")
UNITS = (
    "days",
    "hours",
    "minutes",
    "seconds",
    "day",
    "hour",
    "minute",
    "second",
    "B",
    "KB",
    "MB",
    "GB",
    "TB",
)

_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r]+)
  | (?P<nl>\n)
  | (?P<comment>\#[^\n]*)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<number>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
  | (?P<op>!=|>=|<=|=|>|<|\[|\]|\(|\)|,|\+|-|\*|/)
  | (?P<var>\$[A-Za-z_][A-Za-z0-9_]*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
    """,
    re.VERBOSE,
)


class DqdlError(OrderlakeError):
    """A ruleset that cannot be read: says what and on which line."""


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    line: int
    start: int = 0
    end: int = 0


# --- the syntax tree ------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """A constant (number, string, keyword), a duration/size, or a dynamic-rule expression."""

    kind: str  # number | string | keyword | duration | now | expr
    value: Any
    unit: str | None = None
    text: str = ""


@dataclass(frozen=True)
class Condition:
    op: str  # = != > >= < <= between in matches
    values: tuple[Value, ...]
    negated: bool = False
    text: str = ""


@dataclass(frozen=True)
class Rule:
    rule_type: str
    params: tuple[str, ...]
    condition: Condition | None
    where: str | None
    threshold: Condition | None
    line: int
    text: str
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Composite:
    op: str  # and | or
    parts: tuple[Rule | Composite, ...]
    line: int
    text: str


Node = Rule | Composite


@dataclass(frozen=True)
class Ruleset:
    rules: tuple[Node, ...]
    analyzers: tuple[Node, ...] = ()
    constants: dict[str, Any] = field(default_factory=dict)


# --- the parser -----------------------------------------------------------------------------


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    line, pos = 1, 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise DqdlError(f"line {line}: unexpected character {text[pos]!r}")
        kind = match.lastgroup or ""
        if kind == "nl":
            line += 1
        elif kind not in ("ws", "comment"):
            tokens.append(Token(kind, match.group(), line, match.start(), match.end()))
        pos = match.end()
    tokens.append(Token("eof", "", line, len(text), len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0
        self.constants: dict[str, Any] = {}

    # token helpers
    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def next(self) -> Token:
        token = self.peek()
        self.pos += 1
        return token

    def at(self, *texts: str) -> bool:
        token = self.peek()
        return token.kind in ("op", "word") and token.text.lower() in {t.lower() for t in texts}

    def expect(self, text: str) -> Token:
        token = self.next()
        if token.text.lower() != text.lower():
            found = token.text or "end of ruleset"
            raise DqdlError(f"line {token.line}: expected {text!r}, found {found!r}")
        return token

    def fail(self, message: str, token: Token | None = None) -> DqdlError:
        return DqdlError(f"line {(token or self.peek()).line}: {message}")

    # grammar
    def ruleset(self) -> Ruleset:
        sections: dict[str, tuple[Node, ...]] = {}
        while self.peek().kind != "eof":
            token = self.peek()
            if token.text == "let":
                self.let()
            elif token.text in SECTIONS and self.peek(1).text == "=":
                self.next()
                self.expect("=")
                if token.text in sections:
                    raise self.fail(f"{token.text} is defined twice", token)
                # Analyzers only measure, so their rules need no condition.
                self._in_rules = token.text == "Rules"
                sections[token.text] = self.rule_list()
            else:
                raise self.fail(f"expected 'Rules = [' or 'Analyzers = [', found {token.text!r}")
        if "Rules" not in sections and "Analyzers" not in sections:
            raise DqdlError("line 1: a ruleset needs a 'Rules = [ ... ]' list")
        return Ruleset(sections.get("Rules", ()), sections.get("Analyzers", ()), self.constants)

    def let(self) -> None:
        self.expect("let")
        name = self.next()
        if name.kind != "word":
            raise self.fail(f"expected a constant name after 'let', found {name.text!r}", name)
        self.expect("=")
        if self.at("["):
            self.constants[name.text] = self.value_list()
        elif self.peek().kind == "string" and self.peek(1).kind != "op":
            self.constants[name.text] = Value("string", _unquote(self.next().text))
        else:
            self.constants[name.text] = self.value_expr()

    def rule_list(self) -> tuple[Node, ...]:
        self.expect("[")
        nodes: list[Node] = []
        while not self.at("]"):
            nodes.append(self.composite())
            if self.at(","):
                self.next()
            elif not self.at("]"):
                raise self.fail(f"expected ',' or ']' after a rule, found {self.peek().text!r}")
        self.expect("]")
        return tuple(nodes)

    def composite(self) -> Node:
        start = self.peek()
        first_pos = self.pos
        parts = [self.primary()]
        op = None
        while self.at("and", "or"):
            this = self.next().text.lower()
            if op is not None and this != op:
                raise self.fail("mix of 'and' and 'or' needs parentheses", start)
            op = this
            if not self.at("("):
                raise self.fail(f"each rule joined with '{op}' must be in parentheses")
            parts.append(self.primary())
        if op is None:
            return parts[0]
        return Composite(op, tuple(parts), start.line, self._source(first_pos))

    def primary(self) -> Node:
        if self.at("("):
            self.next()
            node = self.composite()
            self.expect(")")
            return node
        return self.rule()

    def rule(self) -> Rule:
        start = self.pos
        token = self.next()
        if token.kind != "word":
            found = token.text or "end of ruleset"
            raise self.fail(f"expected a rule type, found {found!r}", token)
        if token.text not in RULE_TYPES:
            raise self.fail(f"unknown rule type {token.text!r}", token)
        low, high, needs = RULE_TYPES[token.text]
        params: list[str] = []
        while self.peek().kind == "string" and len(params) < high:
            params.append(_unquote(self.next().text))
        if len(params) < low:
            raise self.fail(f"{token.text} takes {low} quoted parameter(s), found {len(params)}")
        condition = None
        if self._at_condition():
            condition = self.condition()
        where = threshold = None
        labels: tuple[str, ...] = ()
        while True:
            if self.at("where"):
                self.next()
                clause = self.next()
                if clause.kind != "string":
                    raise self.fail("'where' takes a quoted SQL condition", clause)
                where = _unquote(clause.text)
            elif self.at("with"):
                self.next()
                self.expect("threshold")
                threshold = self.condition()
            elif self.at("labels"):
                self.next()
                if self.at("="):
                    self.next()
                labels = tuple(str(v.value) for v in self.value_list())
            else:
                break
        if needs == REQUIRED and condition is None and self._in_rules:
            raise self.fail(f"{token.text} needs a condition (for example '> 0')", token)
        if needs == NONE and condition is not None:
            raise self.fail(f"{token.text} takes no condition", token)
        return Rule(
            token.text,
            tuple(params),
            condition,
            where,
            threshold,
            token.line,
            self._source(start),
            labels,
        )

    _in_rules = True

    def _at_condition(self) -> bool:
        return self.at(*COMPARATORS, "between", "in", "matches") or (
            self.at("not") and self.peek(1).text.lower() in ("between", "in", "matches")
        )

    def condition(self) -> Condition:
        start = self.pos
        negated = False
        if self.at("not"):
            self.next()
            negated = True
        op_token = self.next()
        op = op_token.text.lower()
        if op in COMPARATORS:
            if negated:
                raise self.fail("'not' goes before between, in or matches", op_token)
            values: tuple[Value, ...] = (self.value_expr(),)
        elif op == "between":
            low = self.value_expr()
            self.expect("and")
            values = (low, self.value_expr())
        elif op == "in":
            values = self.value_list()
        elif op == "matches":
            pattern = self.next()
            if pattern.kind != "string":
                raise self.fail("'matches' takes a quoted regular expression", pattern)
            values = (Value("string", _unquote(pattern.text)),)
        else:
            raise self.fail(f"expected a condition, found {op_token.text!r}", op_token)
        return Condition(op, values, negated, self._source(start))

    def value_list(self) -> tuple[Value, ...]:
        if self.peek().kind == "var":
            return self._constant(self.next())
        self.expect("[")
        values: list[Value] = []
        while not self.at("]"):
            values.append(self.atom())
            if self.at(","):
                self.next()
            elif not self.at("]"):
                raise self.fail(f"expected ',' or ']' in a list, found {self.peek().text!r}")
        self.expect("]")
        return tuple(values)

    def _constant(self, token: Token) -> Any:
        name = token.text[1:]
        if name not in self.constants:
            raise self.fail(f"unknown constant ${name}", token)
        return self.constants[name]

    def value_expr(self) -> Value:
        """A value, or arithmetic over values (`now() - 3 days`, `avg(last(5)) * 0.9`)."""
        start = self.pos
        parts = [self.atom()]
        ops: list[str] = []
        while self.at("+", "-", "*", "/"):
            ops.append(self.next().text)
            parts.append(self.atom())
        source = self._source(start)
        if len(parts) == 1:
            return parts[0]
        if (
            len(parts) == 2
            and parts[0].kind == "now"
            and ops[0] in "+-"
            and parts[1].kind == "duration"
        ):
            sign = -1 if ops[0] == "-" else 1
            return Value("now", sign * to_seconds(parts[1]), text=source)
        return Value("expr", source, text=source)

    def atom(self) -> Value:
        token = self.next()
        if token.text == "-" and self.peek().kind == "number":  # a negative number
            number = self.atom()
            return Value(number.kind, -number.value, number.unit, f"-{number.text}")
        if token.kind == "number":
            number = float(token.text)
            if self.peek().kind == "word" and self.peek().text in UNITS:
                unit = self.next().text
                return Value("duration", number, unit, f"{token.text} {unit}")
            return Value("number", number, text=token.text)
        if token.kind == "string":
            return Value("string", _unquote(token.text), text=token.text)
        if token.kind == "var":
            value = self._constant(token)
            if isinstance(value, tuple):
                raise self.fail(f"{token.text} is a list; use it after 'in'", token)
            return value
        if token.kind == "word" and token.text.upper() in KEYWORD_VALUES:
            return Value("keyword", token.text.upper(), text=token.text)
        if token.text == "(":
            inner = self.value_expr()
            self.expect(")")
            return inner
        if token.kind == "word" and self.at("("):
            start = self.pos - 1
            self.next()
            while not self.at(")"):
                self.value_expr()
                if self.at(","):
                    self.next()
                elif not self.at(")"):
                    raise self.fail(f"expected ',' or ')' in {token.text}(...)")
            self.expect(")")
            source = self._source(start)
            if token.text == "now" and source.replace(" ", "") == "now()":
                return Value("now", 0.0, text=source)
            return Value("expr", source, text=source)
        raise self.fail(f"expected a value, found {token.text or 'end of ruleset'!r}", token)

    def _source(self, start: int) -> str:
        """The rule's own text from tokens[start] to the last token read, on one line."""
        first, last = self.tokens[start], self.tokens[self.pos - 1]
        return " ".join(self.text[first.start : last.end].split())


def parse(text: str) -> Ruleset:
    """Parse a DQDL document; a DqdlError names the line and what is wrong."""
    return _Parser(text).ruleset()


_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def to_seconds(value: Value) -> float:
    """A duration (`24 hours`, `3 days`) in seconds."""
    unit = (value.unit or "").lower().rstrip("s")
    if unit not in _SECONDS:
        raise DqdlError(f"{value.text!r} is not a duration (use seconds, minutes, hours or days)")
    return float(value.value) * _SECONDS[unit]


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def walk(node: Node) -> list[Rule]:
    """The plain rules in a node, composites flattened."""
    if isinstance(node, Rule):
        return [node]
    return [rule for part in node.parts for rule in walk(part)]

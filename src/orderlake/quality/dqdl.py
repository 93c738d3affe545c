"""A parser for DQDL, the AWS Glue Data Quality Definition Language, as Glue reads it.

It follows AWS's published grammar (github.com/awslabs/dqdl, configuration/dqdl/*.g4) and the
checks its parser makes after the grammar (rule types and their parameter counts from
configuration/rules/rules-config.json, which condition each rule type takes, where clauses,
thresholds, tags, labels, constants). A ruleset Glue would reject is a DqdlError here that names
the line and the rule; one Glue accepts parses. Written by hand from the grammar: no ANTLR.

Where AWS's pages show a form the grammar rejects, the grammar wins (Glue runs that parser);
tests/fixtures/dqdl/aws_examples.txt lists every documented example with the verdict and why.
What the local evaluator can run is a smaller set: `orderlake.quality.evaluate.check_supported`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from orderlake.errors import OrderlakeError

# Return types, as rules-config.json names them: which condition a rule takes.
NUMBER, STRING, DATE, DURATION, SIZE, BOOLEAN = (
    "NUMBER", "STRING", "DATE", "DURATION", "SIZE", "BOOLEAN",
)  # fmt: skip
VARARGS = -1  # "one or more parameters"


@dataclass(frozen=True)
class RuleType:
    """One entry of AWS's rule catalogue (rules-config.json), as this parser needs it."""

    params: int  # exact count, or VARARGS
    returns: tuple[str, ...]
    where: bool = False
    threshold: bool = False
    analyzer_only: bool = False
    scope: str = "column"


def _t(params: int, *returns: str, **kw: Any) -> RuleType:
    return RuleType(params, returns, **kw)


# Several entries per name where AWS defines one per parameter count (FileMatch, DatasetMatch).
RULE_TYPES: dict[str, tuple[RuleType, ...]] = {
    "RowCount": (_t(0, NUMBER, where=True, scope="table"),),
    "RowCountMatch": (_t(1, NUMBER),),
    "ColumnCount": (_t(0, NUMBER, scope="table"),),
    "Completeness": (_t(1, NUMBER, where=True),),
    "IsComplete": (_t(1, BOOLEAN, where=True),),
    "ColumnDataType": (_t(1, STRING, where=True, threshold=True),),
    "ColumnNamesMatchPattern": (_t(1, BOOLEAN, scope="table"),),
    "ColumnExists": (_t(1, BOOLEAN),),
    "ColumnCorrelation": (_t(2, NUMBER, where=True),),
    "Uniqueness": (_t(VARARGS, NUMBER, where=True),),
    "IsUnique": (_t(VARARGS, BOOLEAN, where=True),),
    "Mean": (_t(1, NUMBER, where=True),),
    "Sum": (_t(1, NUMBER, where=True),),
    "StandardDeviation": (_t(1, NUMBER, where=True),),
    "Variance": (_t(1, NUMBER, where=True),),
    "Entropy": (_t(1, NUMBER, where=True),),
    "DistinctValuesCount": (_t(1, NUMBER, where=True),),
    "UniqueValueRatio": (_t(1, NUMBER, where=True),),
    "ColumnLength": (_t(1, NUMBER, where=True),),
    "IsPrimaryKey": (_t(VARARGS, BOOLEAN, where=True),),
    "ColumnValues": (_t(1, STRING, NUMBER, DATE, where=True, threshold=True),),
    "DataFreshness": (_t(1, DURATION, where=True),),
    "CustomSql": (_t(1, NUMBER, BOOLEAN, threshold=True, scope="table"),),
    "ReferentialIntegrity": (_t(2, NUMBER, scope="table"),),
    "DatasetMatch": (_t(2, NUMBER, scope="table"), _t(3, NUMBER, scope="table")),
    "SchemaMatch": (_t(1, NUMBER, scope="table"),),
    "AggregateMatch": (_t(2, NUMBER),),
    "DetectAnomalies": (_t(VARARGS, BOOLEAN),),
    "AllStatistics": (_t(1, NUMBER, analyzer_only=True),),
    # On AWS's pages (dqdl.html "Distribution Analyzer", dqdl-rule-types-Distribution.html),
    # not yet in the published rules-config.json: read as the pages write it.
    "Distribution": (_t(1, NUMBER, analyzer_only=True),),
    "FileMatch": (
        _t(2, BOOLEAN, scope="file"),
        _t(1, STRING, scope="file"),
        _t(0, STRING, scope="file"),
    ),
    "FileUniqueness": (_t(1, NUMBER, scope="file"), _t(0, NUMBER, scope="file")),
    "FileFreshness": (
        _t(1, DATE, threshold=True, scope="file"),
        _t(0, DATE, threshold=True, scope="file"),
    ),
    "FileSize": (
        _t(1, SIZE, threshold=True, scope="file"),
        _t(0, SIZE, threshold=True, scope="file"),
    ),
}
FILE_RULE_TYPES = tuple(name for name, ts in RULE_TYPES.items() if ts[0].scope == "file")

DURATION_UNITS = {"days": 86400, "hours": 3600, "minutes": 60}
SIZE_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}
KEYWORD_VALUES = ("NULL", "EMPTY", "WHITESPACES_ONLY")
_KEYWORD_SPELLINGS = {*KEYWORD_VALUES, *(k.lower() for k in KEYWORD_VALUES)}  # not "Null"
MAX_LABELS, MAX_LABEL_KEY, MAX_LABEL_VALUE = 10, 128, 256

# Words the grammar reserves (its literal tokens and keyword lexer rules): never identifiers.
_RESERVED = {
    "Metadata", "DataSources", "Rules", "Analyzers", "DefaultLabels", "labels", "with",
    "where", "matches", "between", "in", "not", "and", "AND", "or", "OR", "of", "OF",
    "null", "NULL", "empty", "EMPTY", "whitespaces_only", "WHITESPACES_ONLY",
    *DURATION_UNITS, *SIZE_UNITS,
}  # fmt: skip

# The lexer, after CommonLexerRules.g4: longest match wins, then the earliest rule.
_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\n]+)
  | (?P<comment>\#[^\n]*\n)
  | (?P<now>now\(\))
  | (?P<date>"\d{4}-\d\d-\d\d")
  | (?P<time>"\d{1,2}:\d\d\ (?:AM|PM)")
  | (?P<miltime>"\d\d:\d\d")
  | (?P<string>"(?:\\["\\]|[^"])*?")
  | (?P<word>[A-Za-z0-9_.]+)
  | (?P<op>>=|<=|[=><!\[\](){},:$+\-*/'])
    """,
    re.VERBOSE,
)


class DqdlError(OrderlakeError):
    """A ruleset that cannot be read: says what and on which line."""


@dataclass(frozen=True)
class Token:
    kind: str  # word | int | decimal | string | date | time | miltime | now | op | eof
    text: str
    line: int
    start: int = 0
    end: int = 0


# --- the syntax tree ------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """One operand of a condition.

    kind: number (value a float) | string | keyword (NULL, EMPTY, WHITESPACES_ONLY) |
    duration / size (value the amount, unit its unit) | now (value: seconds from now) |
    date ("2024-01-31") | time ("9:30 AM", "21:30") | expr (a dynamic-rule expression: value
    is its tree, ("num", x) | ("call", name, args) | ("op", symbol, left, right)).
    """

    kind: str
    value: Any
    unit: str | None = None
    text: str = ""


@dataclass(frozen=True)
class Condition:
    op: str  # = != > >= < <= between in matches
    values: tuple[Value, ...]
    negated: bool = False  # not between, not in, not matches
    text: str = ""
    kind: str = NUMBER  # which of the grammar's conditions it is


@dataclass(frozen=True)
class Rule:
    rule_type: str
    params: tuple[str, ...]
    condition: Condition | None
    where: str | None
    threshold: Condition | None
    line: int
    text: str
    labels: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Composite:
    op: str  # and | or
    parts: tuple[Rule | Composite, ...]
    line: int
    text: str
    labels: dict[str, str] = field(default_factory=dict)


Node = Rule | Composite


@dataclass(frozen=True)
class Ruleset:
    rules: tuple[Node, ...]
    analyzers: tuple[Rule, ...] = ()
    constants: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    default_labels: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    data_sources: dict[str, Any] = field(default_factory=dict)


# --- the lexer ------------------------------------------------------------------------------


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    line, pos = 1, 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            char = text[pos]
            if char == "\r":
                why = "a carriage return (Glue's grammar reads only \\n line ends)"
            elif char == "#":
                why = "'#': a comment must end with a newline (on the last line too)"
            elif char == '"':
                why = "'\"': a string that is never closed"
            else:
                why = repr(char)
            raise DqdlError(f"line {line}: unexpected character {why}")
        kind = match.lastgroup or ""
        token_text = match.group()
        if kind == "word":
            if re.fullmatch(r"\d+", token_text):
                kind = "int"
            elif re.fullmatch(r"\d+\.\d+", token_text):
                kind = "decimal"
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, token_text, line, match.start(), match.end()))
        line += token_text.count("\n")
        pos = match.end()
    tokens.append(Token("eof", "", line, len(text), len(text)))
    return tokens


# --- the parser -----------------------------------------------------------------------------


class _Backtrack(Exception):
    """A condition alternative that does not fit: the next one is tried."""


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0
        self.constants: dict[str, str | tuple[str, ...]] = {}
        self.default_labels: dict[str, str] = {}
        self.labelled: set[int] = set()  # nodes written with their own labels=[...]

    # token helpers
    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def next(self) -> Token:
        token = self.peek()
        self.pos += 1
        return token

    def at(self, *texts: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token.kind in ("op", "word", "now") and token.text in texts

    def at_word(self, ahead: int = 0) -> bool:
        """An IDENTIFIER token: a word the grammar does not reserve."""
        token = self.peek(ahead)
        return token.kind == "word" and token.text not in _RESERVED

    def expect(self, text: str, what: str = "") -> Token:
        token = self.next()
        if token.text != text or token.kind in ("string", "date", "time", "miltime"):
            raise self.fail(f"expected {what or repr(text)}, found {_found(token)}", token)
        return token

    def fail(self, message: str, token: Token | None = None) -> DqdlError:
        return DqdlError(f"line {(token or self.peek()).line}: {message}")

    # document: metadata? dataSources? variableDeclarations? defaultLabels? rulesOrAnalyzers
    def document(self) -> Ruleset:
        metadata = self.dictionary("Metadata", {"Version"}) if self.at("Metadata") else {}
        sources = (
            self.dictionary("DataSources", {"Primary", "AdditionalDataSources"})
            if self.at("DataSources")
            else {}
        )
        if "AdditionalDataSources" in sources and not isinstance(
            sources["AdditionalDataSources"], tuple
        ):
            raise self.fail("DataSources: AdditionalDataSources must be a list")
        while self.at_word() and self.at("=", ahead=1):
            self.variable()
        if self.at("DefaultLabels"):
            self.next()
            self.default_labels = self.label_list("DefaultLabels", {})
        rules: tuple[Node, ...] = ()
        analyzers: tuple[Rule, ...] = ()
        if self.at("Rules"):
            rules = self.section("Rules", self.top_level_rule)
        if self.at("Analyzers"):
            analyzers = self.section("Analyzers", self.analyzer)
        token = self.peek()
        if token.kind != "eof":
            if token.text in ("Rules", "Analyzers", "Metadata", "DataSources", "DefaultLabels"):
                raise self.fail(
                    f"{token.text} is out of place: a ruleset is Metadata, DataSources, "
                    "constants, DefaultLabels, Rules, Analyzers, each at most once and in "
                    "that order",
                    token,
                )
            if self.at("="):
                raise self.fail(
                    "'=': a constant is a quoted string or a list of them, found "
                    f"{_found(self.peek(1))}",
                    token,
                )
            if token.text == "let":
                raise self.fail("DQDL has no 'let': a constant is written name = \"value\"")
            raise self.fail(f"expected 'Rules = [' or 'Analyzers = [', found {_found(token)}")
        if not rules and not analyzers:
            raise DqdlError("line 1: a ruleset needs rules: 'Rules = [ ... ]' (or Analyzers)")
        return Ruleset(
            rules, analyzers, self.constants, self.default_labels, metadata, dict(sources)
        )

    def dictionary(self, name: str, keys: set[str]) -> dict[str, Any]:
        self.expect(name)
        self.expect("=")
        self.expect("{")
        found: dict[str, Any] = {}
        while True:
            key = self.next()
            if key.kind != "string":
                raise self.fail(f"{name}: expected a quoted key, found {_found(key)}", key)
            if _unquote(key.text) not in keys:
                raise self.fail(f"{name}: unsupported key {key.text}", key)
            self.expect(":")
            if self.at("["):
                self.next()
                items = [self.quoted(f"{name} list")]
                while self.at(","):
                    self.next()
                    items.append(self.quoted(f"{name} list"))
                self.expect("]")
                found[_unquote(key.text)] = tuple(items)
            else:
                found[_unquote(key.text)] = self.quoted(name)
            if not self.at(","):
                break
            self.next()
        self.expect("}")
        return found

    def quoted(self, what: str) -> str:
        token = self.next()
        if token.kind not in ("string", "date", "time", "miltime"):
            raise self.fail(f"{what}: expected a quoted string, found {_found(token)}", token)
        return _unquote(token.text)

    def variable(self) -> None:
        name = self.next()
        self.expect("=")
        if name.text.startswith((".", "_")):
            raise self.fail(f"constant name {name.text!r} cannot start with '.' or '_'", name)
        if name.text in self.constants:
            raise self.fail(f"constant {name.text!r} is defined twice", name)
        try:
            if self.at("["):
                self.next()
                values = [self.string_value(constant=True)]
                while self.at(","):
                    self.next()
                    values.append(self.string_value(constant=True))
                self.expect("]")
                value: str | tuple[str, ...] = tuple(
                    v.text if v.kind == "keyword" else v.value for v in values
                )
            else:
                item = self.string_value(constant=True)
                value = item.text if item.kind == "keyword" else item.value
        except DqdlError as exc:
            if name.text.lower().startswith(("rule", "analyz")):
                raise self.fail(f"{exc} (is {name.text!r} meant to be 'Rules'?)", name) from None
            raise
        if re.search(r"\$[A-Za-z_][A-Za-z0-9_.]*", str(value)):
            raise self.fail(f"constant {name.text!r}: constants cannot refer to constants", name)
        self.constants[name.text] = value

    def section(self, name: str, item: Any) -> tuple[Any, ...]:
        self.expect(name)
        self.expect("=")
        self.expect("[")
        nodes: list[Any] = []
        if self.at("]"):
            self.next()
            return ()
        while True:
            nodes.append(item())
            if self.at(","):
                self.next()
                if self.at("]"):
                    raise self.fail("a ',' after the last rule: Glue's grammar rejects it")
                continue
            if self.at("]"):
                self.next()
                return tuple(nodes)
            raise self.fail(
                f"expected ',' or ']' after a rule, found {_found(self.peek())}"
                + _hint(self.peek(-1), self.peek())
            )

    # topLevelRule: '(' topLevelRule ')' labels? | topLevelRule and topLevelRule | ... or ... |
    # dqRule. `and` binds tighter than `or`, as the order of the grammar's alternatives says.
    def top_level_rule(self) -> Node:
        return self.binary("or", lambda: self.binary("and", self.primary))

    def binary(self, op: str, operand: Any) -> Node:
        start = self.pos
        first = self.peek()
        parts = [operand()]
        while self.at(op, op.upper()):
            self.next()
            parts.append(operand())
        if len(parts) == 1:
            return parts[0]
        for part in parts:
            if id(part) in self.labelled:
                raise DqdlError(
                    f"line {part.line}: labels on one part of a composite rule: AWS's DQDL "
                    "reference lists this as invalid; label the whole composite, "
                    "((A) and (B)) labels=[...]"
                )
        flat: list[Node] = []
        for part in parts:  # (a) and (b) and (c) is one composite of three
            if isinstance(part, Composite) and part.op == op and not part.labels:
                flat.extend(part.parts)
            else:
                flat.append(part)
        return Composite(op, tuple(flat), first.line, self._source(start))

    def primary(self) -> Node:
        if not self.at("("):
            return self.rule()
        start = self.pos
        self.next()
        node = self.top_level_rule()
        self.expect(")")
        if not self.at("labels"):
            return node
        self.next()
        rule_labels = self.label_list("labels", self.default_labels)
        labels = self.default_labels | rule_labels
        if isinstance(node, Rule):
            labelled: Node = dataclasses.replace(node, labels=labels, text=self._source(start))
        else:
            labelled = Composite(node.op, node.parts, node.line, self._source(start), labels)
        self.labelled.add(id(labelled))
        return labelled

    def label_list(self, what: str, defaults: dict[str, str]) -> dict[str, str]:
        """`= [ "key"="value", ... ]`, with Glue's limits on labels."""
        start = self.peek()
        self.expect("=", f"'=' after {what}")
        self.expect("[", f"'[' after '{what} ='")
        labels: dict[str, str] = {}
        while not self.at("]"):
            key = self.next()
            if key.kind not in ("string", "date", "time", "miltime"):
                raise self.fail(f'{what}: a label is "key"="value", found {_found(key)}', key)
            if not self.at("="):
                raise self.fail(
                    f'{what}: a label is "key"="value"; {key.text} has no "=value"', key
                )
            self.next()
            value = self.quoted(f'{what}: a label is "key"="value"')
            name = _unquote(key.text)
            if not name or not value:
                raise self.fail(f"{what}: a label's key and value cannot be empty", key)
            if len(name) > MAX_LABEL_KEY or len(value) > MAX_LABEL_VALUE:
                raise self.fail(
                    f"{what}: label keys take at most {MAX_LABEL_KEY} characters and values "
                    f"{MAX_LABEL_VALUE}",
                    key,
                )
            if name in labels:
                raise self.fail(f"{what}: label key {name!r} is given twice", key)
            labels[name] = value
            if not self.at(","):
                break
            self.next()
        self.expect("]", f"',' or ']' in {what}")
        if not labels:
            raise self.fail(f"{what} must have at least one label", start)
        if len(defaults | labels) > MAX_LABELS:
            raise self.fail(f"{what}: at most {MAX_LABELS} labels per rule", start)
        return labels

    def parameters(self) -> list[str]:
        """parameterWithConnectorWord*: "quoted", bare identifiers, $constants, each perhaps
        after `of` or `and`; as in Glue's parser, a connector followed by a parameter is read
        as part of the rule, not as a composite."""
        params: list[str] = []
        while True:
            ahead = 1 if self.at("of", "OF", "and", "AND") else 0
            token = self.peek(ahead)
            if token.kind == "string":
                self.pos += ahead + 1
                params.append(_unquote(token.text))
            elif self.at_word(ahead):
                self.pos += ahead + 1
                params.append(token.text)
            elif self.at("$", ahead=ahead) and self.at_word(ahead + 1):
                self.pos += ahead + 2
                params.append(self._string_constant(self.peek(-1)))
            else:
                return params

    def _string_constant(self, name: Token) -> str:
        value = self._constant(name)
        if not isinstance(value, str):
            raise self.fail(f"${name.text} is a list; a rule parameter needs a string", name)
        return value

    def _constant(self, name: Token) -> str | tuple[str, ...]:
        if name.text not in self.constants:
            raise self.fail(f"unknown constant ${name.text}", name)
        return self.constants[name.text]

    def rule_type(self, token: Token, count: int, section: str) -> RuleType:
        if token.kind != "word" or token.text in _RESERVED:
            raise self.fail(f"expected a rule type, found {_found(token)}", token)
        kinds = RULE_TYPES.get(token.text)
        if kinds is None:
            raise self.fail(f"unknown rule type {token.text!r}", token)
        for kind in kinds:
            if kind.params == count or (kind.params == VARARGS and count >= 1):
                return kind
        counts = sorted({k.params for k in kinds})
        wanted = " or ".join("one or more" if c == VARARGS else str(c) for c in counts)
        raise self.fail(
            f"{token.text} takes {wanted} parameter(s), found {count}"
            + (f" (Glue: 'Rule Type: {token.text} is not valid')" if section == "Rules" else ""),
            token,
        )

    def analyzer(self) -> Rule:
        start = self.pos
        token = self.next()
        params = self.parameters()
        kind = self.rule_type(token, len(params), "Analyzers")
        if kind.returns == (BOOLEAN,):
            raise self.fail(f"{token.text} measures nothing: it cannot be an analyzer", token)
        tags = self.distribution_options() if token.text == "Distribution" else {}
        return Rule(
            token.text, tuple(params), None, None, None, token.line, self._source(start), {}, tags
        )

    def distribution_options(self) -> dict[str, str]:
        """`with bins = n` (1 to 20) and `, rebin = true|false`, as the Distribution page
        writes them (AWS's published grammar gives analyzers no options yet)."""
        tags: dict[str, str] = {}
        if not self.at("with"):
            return tags
        self.next()
        name = self.next()
        if name.text != "bins" or not self.at("="):
            raise self.fail("Distribution takes 'with bins = <1 to 20>'", name)
        self.next()
        count = self.next()
        if count.kind != "int" or not 1 <= int(count.text) <= 20:
            raise self.fail(
                f"Distribution: bins is a whole number from 1 to 20, found {_found(count)}", count
            )
        tags["bins"] = count.text
        if self.at(",") and self.at("rebin", ahead=1):
            self.pos += 2
            self.expect("=", "'=' after rebin")
            flag = self.next()
            if flag.text not in ("true", "false"):
                raise self.fail(f"Distribution: rebin is true or false, found {_found(flag)}", flag)
            tags["rebin"] = flag.text
        return tags

    # dqRule: ruleType parameterWithConnectorWord* condition? whereClause? labels?
    #         tagWithCondition*
    def rule(self) -> Rule:
        start = self.pos
        token = self.next()
        first_param = self.pos
        params = self.parameters()
        try:
            kind = self.rule_type(token, len(params), "Rules")
        except DqdlError as exc:
            bare = [
                t.text
                for t in self.tokens[first_param : self.pos]
                if t.kind == "word" and t.text in RULE_TYPES
            ]
            joined = [
                t.text
                for t in self.tokens[first_param : self.pos]
                if t.kind == "word" and t.text in ("and", "AND", "or", "OR")
            ]
            if bare and joined:
                raise DqdlError(
                    f"{exc}; '{joined[0]} {bare[0]}' is read as a parameter: each rule joined "
                    "with and/or goes in parentheses"
                ) from None
            if bare:
                raise DqdlError(f"{exc}; is a ',' missing before {bare[0]}?") from None
            shouting = [
                t.text
                for t in self.tokens[first_param : self.pos]
                if t.kind == "word" and t.text.lower() in _RESERVED and t.text not in _RESERVED
            ]
            if shouting:
                raise DqdlError(
                    f"{exc}; {shouting[0]!r} is read as a column: keywords are lowercase "
                    f"({shouting[0].lower()})"
                ) from None
            raise
        name = token.text
        if kind.analyzer_only:
            raise self.fail(f"{name} is an analyzer only: put it in Analyzers = [ ... ]", token)
        condition = self.condition(kind, name) if self._at_condition() else None
        where = None
        if self.at("where"):
            self.next()
            clause = self.next()
            if clause.kind not in ("string", "date", "time", "miltime"):
                raise self.fail("'where' takes a quoted Spark SQL condition", clause)
            if not kind.where:
                raise self.fail(f"{name} takes no where clause", token)
            where = _unquote(clause.text)
            if not where:
                raise self.fail(f"{name}: the where clause is empty", clause)
        labels = dict(self.default_labels)
        own_labels = False
        if self.at("labels"):
            self.next()
            labels |= self.label_list("labels", self.default_labels)
            own_labels = True
        threshold = None
        tags: dict[str, str] = {}
        while self.at("with"):
            self.next()
            tag = self.next()
            if tag.kind != "word" or tag.text in _RESERVED:
                raise self.fail(f"expected a tag name after 'with', found {_found(tag)}", tag)
            if tag.text.lower() == "threshold":
                if not kind.threshold:
                    raise self.fail(f"{name} takes no threshold", tag)
                if threshold is not None:
                    raise self.fail(f"{name}: only one threshold per rule", tag)
                try:
                    threshold = self._number_condition()
                except _Backtrack:
                    raise self.fail(
                        f"{name}: a threshold is a number condition, e.g. '> 0.9'", tag
                    ) from None
                continue
            if not self.at("="):
                raise self.fail(f"tag {tag.text}: tags take '= value' only", tag)
            self.next()
            if self.peek().kind in ("string", "date", "time", "miltime"):
                tags[tag.text] = _unquote(self.next().text)
            elif self.peek().kind in ("int", "decimal") or self.at("-"):
                try:
                    tags[tag.text] = self.number().text
                except _Backtrack:
                    raise self.fail(f"tag {tag.text}: expected a value", tag) from None
            elif self.at("["):
                raise self.fail(
                    f"tag {tag.text}: Glue's grammar takes one quoted string or number after "
                    "'with <tag> =', not a list",
                    tag,
                )
            else:
                raise self.fail(f"tag {tag.text}: expected a value, found {_found(self.peek())}")
        if "timeZone" in tags:
            _zone(tags["timeZone"], token.line)
        if condition is not None and condition.kind == DATE:
            for value in condition.values:
                if value.kind == "time":
                    _clock(value.value, token.line)
        if condition is None and BOOLEAN not in kind.returns:
            raise self.fail(f"{name} needs a condition, for example {_example(kind)}", token)
        if self.at("labels"):
            raise self.fail(
                "labels go after the condition and where clause and before 'with' tags",
                self.peek(),
            )
        found = Rule(
            name,
            tuple(params),
            condition,
            where,
            threshold,
            token.line,
            self._source(start),
            labels,
            tags,
        )
        if own_labels:
            self.labelled.add(id(found))
        return found

    def _at_condition(self) -> bool:
        return self.at("=", ">", ">=", "<", "<=", "!", "between", "in", "matches") or (
            self.at("not") and self.at("between", "in", "matches", ahead=1)
        )

    def condition(self, kind: RuleType, name: str) -> Condition:
        """ANTLR picks the first of the grammar's five conditions that reads the tokens
        (number, string, date, duration, size); the rule type must then take that one."""
        start = self.pos
        found = None
        errors: list[str] = []
        for reader in (
            self._number_condition,
            self._string_condition,
            self._date_condition,
            self._duration_condition,
            self._size_condition,
        ):
            self.pos = start
            try:
                found = reader()
                break
            except _Backtrack as exc:
                errors.append(str(exc))
        if found is None:
            self.pos = start
            raise self.fail(f"{name}: cannot read the condition {self._rest_of_line()!r}")
        takes = set(kind.returns) | ({NUMBER} if SIZE in kind.returns else set())
        if found.kind not in takes:
            if BOOLEAN in kind.returns and takes == {BOOLEAN}:
                raise self.fail(f"{name} takes no condition", self.tokens[start])
            unit = ""
            if found.kind == NUMBER and DURATION in kind.returns:
                unit = " (a duration needs a unit: minutes, hours or days"
                if self.peek().kind == "word":
                    unit += f"; {self.peek().text!r} is not one"
                unit += ")"
            raise self.fail(
                f"{name} takes a {_describe(kind)} condition; {found.text!r} is a "
                f"{found.kind.lower()} condition{unit}",
                self.tokens[start],
            )
        if found.kind == NUMBER and SIZE in kind.returns:
            for value in found.values:  # a plain number is a size in bytes
                if value.kind != "number" or not float(value.value).is_integer():
                    raise self.fail(f"{name}: a size is a whole number with B, KB, MB, GB, TB")
            found = Condition(
                found.op,
                tuple(Value("size", v.value, "B", v.text) for v in found.values),
                found.negated,
                found.text,
                SIZE,
            )
        return found

    def _rest_of_line(self) -> str:
        token = self.peek()
        end = self.text.find("\n", token.start)
        return self.text[token.start : end if end >= 0 else len(self.text)].strip()

    def _comparison(
        self, operand: Any, array: Any, kind: str, *, between: bool = True
    ) -> Condition:
        start = self.pos
        negated = False
        if self.at("not"):
            self.next()
            negated = True
        if self.at("!"):
            self.next()
            if not self.at("="):
                raise _Backtrack("'!' goes before '='")
            self.next()
            values: tuple[Value, ...] = (operand(),)
            return Condition("!=", values, False, self._source(start), kind)
        op_token = self.next()
        op = op_token.text if op_token.kind == "op" or op_token.kind == "word" else ""
        if op == "between" and between:
            low = operand()
            if not self.at("and", "AND"):
                raise _Backtrack("expected 'and'")
            self.next()
            values = (low, operand())
        elif op == "in":
            values = array()
        elif op in ("=", ">", ">=", "<", "<=") and not negated:
            values = (operand(),)
        else:
            raise _Backtrack(f"unexpected {op_token.text!r}")
        if negated and op not in ("between", "in"):
            raise _Backtrack("'not' goes before between or in")
        return Condition(op, values, negated, self._source(start), kind)

    def _array(self, item: Any) -> Any:
        def read() -> tuple[Value, ...]:
            if not self.at("["):
                raise _Backtrack("expected '['")
            self.next()
            values = [item()]
            while self.at(","):
                self.next()
                values.append(item())
            if not self.at("]"):
                raise _Backtrack("expected ']'")
            self.next()
            return tuple(values)

        return read

    def _number_condition(self) -> Condition:
        return self._comparison(self.number, self._array(self.number), NUMBER)

    def _string_condition(self) -> Condition:
        start = self.pos
        negated = False
        if self.at("not"):
            self.next()
            negated = True
        if self.at("matches"):
            self.next()
            pattern = self.next()
            if pattern.kind not in ("string", "date", "time", "miltime"):
                raise _Backtrack("'matches' takes a quoted regular expression")
            value = Value("string", _unquote(pattern.text), text=pattern.text)
            return Condition("matches", (value,), negated, self._source(start), STRING)
        self.pos = start

        def array() -> tuple[Value, ...]:
            if self.at("$"):
                self.next()
                name = self.next()
                value = self._constant(name)
                items = (value,) if isinstance(value, str) else value
                return tuple(_string_or_keyword(v) for v in items)
            return self._array(lambda: self.string_value(in_list=True))()

        return self._comparison(self.string_value, array, STRING, between=False)

    def string_value(self, *, in_list: bool = False, constant: bool = False) -> Value:
        token = self.next()
        if token.kind == "string":
            return Value("string", _unquote(token.text), text=token.text)
        if token.kind == "word" and token.text in _KEYWORD_SPELLINGS:
            return Value("keyword", token.text.upper(), text=token.text)
        if token.kind == "op" and token.text == "$":
            if constant:
                raise self.fail("constants cannot refer to constants", token)
            raise self.fail(
                f"${self.peek().text}: a constant stands only for a rule parameter or after "
                "'in' (Glue's parser fails on one elsewhere)",
                token,
            )
        if constant:
            raise self.fail(
                f"a constant is a quoted string or a list of them, found {_found(token)}",
                token,
            )
        raise _Backtrack(f"expected a string value, found {_found(token)}")

    def number(self) -> Value:
        """number: number op number | f(args) | ( number ) | atomic | NULL; left-associative
        with one precedence for + - * /, as the grammar's single binary alternative says."""
        start = self.pos
        left = self._number_atom()
        tree = left
        while self.at("+", "-", "*", "/"):
            symbol = self.next().text
            right = self._number_atom()
            tree = Value("expr", ("op", symbol, _tree(tree), _tree(right)))
        if tree is left:
            return left
        return Value("expr", tree.value, text=self._source(start))

    def _number_atom(self) -> Value:
        start = self.pos
        token = self.next()
        if token.kind in ("int", "decimal"):
            if self.peek().kind == "word" and self.peek().text in {*DURATION_UNITS, *SIZE_UNITS}:
                raise _Backtrack("a number with a unit")
            return Value("number", float(token.text), text=token.text)
        if token.text == "-" and token.kind == "op" and self.peek().kind in ("int", "decimal"):
            number = self.next()
            return Value("number", -float(number.text), text=f"-{number.text}")
        if token.kind == "word" and token.text in ("NULL", "null"):
            return Value("keyword", "NULL", text=token.text)
        if token.kind == "op" and token.text == "(":
            inner = self.number()
            if not self.at(")"):
                raise _Backtrack("expected ')'")
            self.next()
            return inner
        if token.kind == "word" and token.text not in _RESERVED and self.at("("):
            self.next()
            args: list[Value] = []
            if not self.at(")"):
                args.append(self.number())
                while self.at(","):
                    self.next()
                    args.append(self.number())
            if not self.at(")"):
                raise _Backtrack("expected ')'")
            self.next()
            tree = ("call", token.text, tuple(_tree(a) for a in args))
            return Value("expr", tree, text=self._source(start))
        raise _Backtrack(f"expected a number, found {_found(token)}")

    def _date_condition(self) -> Condition:
        return self._comparison(self.date_value, self._array(self.date_value), DATE)

    def date_value(self) -> Value:
        start = self.pos
        token = self.next()
        if token.kind == "date":
            day = _unquote(token.text)
            try:
                dt.date.fromisoformat(day)
            except ValueError:
                raise self.fail(f"{token.text} is not a date", token) from None
            return Value("date", day, text=token.text)
        if token.kind in ("time", "miltime"):
            return Value("time", _unquote(token.text), text=token.text)
        if token.kind == "now":
            return Value("now", 0.0, text="now()")
        if token.kind == "word" and token.text in ("NULL", "null"):
            return Value("keyword", "NULL", text=token.text)
        if token.text == "(" and self.peek().kind == "now":
            self.next()
            sign = self.next()
            if sign.text not in ("+", "-"):
                raise _Backtrack("expected + or - after now()")
            amount = self.duration_value()
            if not self.at(")"):
                raise _Backtrack("expected ')'")
            self.next()
            seconds = amount.value * DURATION_UNITS[amount.unit or ""]
            return Value("now", -seconds if sign.text == "-" else seconds, text=self._source(start))
        raise _Backtrack(f"expected a date, found {_found(token)}")

    def _duration_condition(self) -> Condition:
        return self._comparison(self.duration_value, self._array(self.duration_value), DURATION)

    def duration_value(self) -> Value:
        return self._amount(DURATION_UNITS, "duration")

    def _size_condition(self) -> Condition:
        return self._comparison(self.size_value, self._array(self.size_value), SIZE)

    def size_value(self) -> Value:
        return self._amount(SIZE_UNITS, "size")

    def _amount(self, units: dict[str, int], kind: str) -> Value:
        number = self.next()
        unit = self.next()
        if number.kind != "int" or unit.kind != "word" or unit.text not in units:
            raise _Backtrack(f"expected a whole number and a {kind} unit")
        return Value(kind, float(number.text), unit.text, f"{number.text} {unit.text}")

    def _source(self, start: int) -> str:
        """The text from tokens[start] to the last token read, on one line."""
        first, last = self.tokens[start], self.tokens[self.pos - 1]
        return " ".join(self.text[first.start : last.end].split())


def parse(text: str) -> Ruleset:
    """Parse a DQDL document; a DqdlError names the line and what is wrong."""
    return _Parser(text).document()


def to_seconds(value: Value) -> float:
    """A duration (`24 hours`, `3 days`) in seconds."""
    if value.kind != "duration" or value.unit not in DURATION_UNITS:
        raise DqdlError(f"{value.text!r} is not a duration (use minutes, hours or days)")
    return float(value.value) * DURATION_UNITS[value.unit]


def to_bytes(value: Value) -> float:
    """A size (`2 MB`) in bytes."""
    return float(value.value) * SIZE_UNITS[value.unit or "B"]


def walk(node: Node) -> list[Rule]:
    """The plain rules in a node, composites flattened."""
    if isinstance(node, Rule):
        return [node]
    return [rule for part in node.parts for rule in walk(part)]


def _tree(value: Value) -> tuple[Any, ...]:
    if value.kind == "expr":
        return value.value
    if value.kind == "keyword":
        return ("null",)
    return ("num", float(value.value))


def _string_or_keyword(text: str) -> Value:
    if text.upper() in KEYWORD_VALUES:
        return Value("keyword", text.upper(), text=text)
    return Value("string", text, text=f'"{text}"')


def _unquote(text: str) -> str:
    return re.sub(r"\\([\"\\])", r"\1", text[1:-1])


def _found(token: Token) -> str:
    return repr(token.text) if token.text else "end of ruleset"


def _hint(previous: Token, token: Token) -> str:
    """Why a token cannot follow a rule, for the mistakes Glue's grammar rejects most."""
    if previous.kind in ("int", "decimal") and token.kind == "word":
        return f" ({token.text!r} is not a unit: durations take minutes, hours or days)"
    if previous.kind == "now" and token.text in ("+", "-"):
        return " (now() plus or minus a duration goes in parentheses: (now() - 6 hours))"
    if token.text == "labels":
        return " (labels go after the condition and where clause and before 'with' tags)"
    return ""


def _describe(kind: RuleType) -> str:
    return " or ".join(r.lower() for r in kind.returns if r != BOOLEAN) or "no"


def _example(kind: RuleType) -> str:
    examples = {
        NUMBER: "'> 0'",
        STRING: "'= \"x\"'",
        DATE: "'> (now() - 1 days)'",
        DURATION: "'<= 24 hours'",
        SIZE: "'< 10 MB'",
    }
    return examples[kind.returns[0]]


def _zone(name: str, line: int) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DqdlError(f"line {line}: timeZone {name!r} is not a time zone") from None


def _clock(text: str, line: int) -> None:
    for pattern in ("%I:%M %p", "%H:%M"):
        try:
            dt.datetime.strptime(text, pattern)
            return
        except ValueError:
            continue
    raise DqdlError(f"line {line}: {text!r} is not a time of day")

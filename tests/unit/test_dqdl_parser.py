"""The DQDL parser reads DQDL as Glue does: AWS's documented examples parse (or are rejected
where Glue's own grammar rejects them), and what Glue's grammar rejects is an error here that
names the line and the rule."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from orderlake.quality.dqdl import Composite, DqdlError, Rule, parse, walk
from orderlake.quality.evaluate import check_supported

FIXTURE = Path(__file__).parents[1] / "fixtures" / "dqdl" / "aws_examples.yaml"


def _examples() -> list[tuple[str, dict]]:
    pages = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))["pages"]
    return [(page["source"], example) for page in pages for example in page["examples"]]


def _document(example: dict) -> str:
    return example.get("document") or f"Rules = [\n    {example['rule']}\n]\n"


EXAMPLES = _examples()


@pytest.mark.parametrize(
    ("source", "example"), EXAMPLES, ids=[str(i) for i in range(len(EXAMPLES))]
)
def test_every_documented_example_is_read_as_glue_reads_it(source, example):
    text = _document(example)
    if example.get("glue") == "rejects":
        with pytest.raises(DqdlError) as error:
            parse(text)
        assert example["error"] in str(error.value), source
        return
    ruleset = parse(text)
    assert ruleset.rules or ruleset.analyzers
    if "rule" in example:
        (node,) = ruleset.rules
        assert node.text == " ".join(example["rule"].split())
        assert all(r.line == 2 for r in walk(node))


def test_the_fixture_counts():
    rejected = [e for _, e in EXAMPLES if e.get("glue") == "rejects"]
    # 229 entries (242 rules: a `document:` can hold several) from 35 page copies, re-read for
    # issue 20; the 210 predates the Glue 5.0 tag sections (uriRegex, filterOrder,
    # failFast) of the FileFreshness, FileMatch and FileSize pages.
    assert len(EXAMPLES) == 229
    assert len(rejected) == 20


def test_whole_documents_with_metadata_sources_constants_labels_and_analyzers():
    ruleset = parse(
        """# orders
Metadata = { "Version": "1.0" }
DataSources = { "Primary": "orders", "AdditionalDataSources": ["ref"] }
allowed = ["US", "CA"]
query = "select count(*) from primary"
DefaultLabels = ["team"="orders"]
Rules = [
    RowCount > 0,   # trailing comment
    ColumnValues "country" in $allowed labels=["owner"="sales", "team"="ops"],
    CustomSql $query > 0,
    IsComplete "id"
]
Analyzers = [
    RowCount,
    Completeness "AnalyzerColumn",
    AllStatistics "id"
]
"""
    )
    assert [n.text for n in ruleset.rules] == [
        "RowCount > 0",
        'ColumnValues "country" in $allowed labels=["owner"="sales", "team"="ops"]',
        "CustomSql $query > 0",
        'IsComplete "id"',
    ]
    count, country, sql, complete = ruleset.rules
    assert isinstance(country, Rule)
    assert [v.value for v in country.condition.values] == ["US", "CA"]
    assert country.labels == {"team": "ops", "owner": "sales"}  # the rule's own label wins
    assert complete.labels == {"team": "orders"}
    assert sql.params == ("select count(*) from primary",)
    assert ruleset.metadata == {"Version": "1.0"}
    assert ruleset.data_sources == {"Primary": "orders", "AdditionalDataSources": ("ref",)}
    assert len(ruleset.analyzers) == 3


def test_composites_nest_and_and_binds_tighter_than_or():
    node = parse('Rules = [ (RowCount > 0) or ((IsComplete "a") and (IsUnique "a")) ]').rules[0]
    assert isinstance(node, Composite) and node.op == "or"
    assert isinstance(node.parts[1], Composite) and node.parts[1].op == "and"
    mixed = parse('Rules = [ (IsComplete "a") and (IsUnique "a") or (RowCount > 1) ]').rules[0]
    assert mixed.op == "or" and mixed.parts[0].op == "and"  # the grammar's precedence
    labelled = parse('Rules = [ ((RowCount > 0) and (IsComplete "a")) labels=["k"="v"] ]')
    assert labelled.rules[0].labels == {"k": "v"}


def test_where_threshold_tags_and_now_offsets_are_read():
    (rule,) = parse(
        'Rules = [ ColumnValues "ts" > (now() - 2 hours) where "x = 1" with threshold >= 0.9 ]'
    ).rules
    assert rule.where == "x = 1"
    assert (rule.condition.values[0].kind, rule.condition.values[0].value) == ("now", -7200.0)
    assert rule.threshold.op == ">=" and rule.threshold.values[0].value == 0.9
    (files,) = parse(
        'Rules = [ FileFreshness > (now() - 1 days) with timeZone = "Europe/Paris" '
        'with failFast = "true" with recentFiles = 3 ]'
    ).rules
    assert files.params == () and files.tags == {
        "timeZone": "Europe/Paris",
        "failFast": "true",
        "recentFiles": "3",
    }


def test_numbers_signs_and_dynamic_expressions():
    offset, negative, dynamic = parse(
        'Rules = [ ColumnValues "ts" > (now()-3 days), ColumnValues "x" between -5 and -1.5, '
        "RowCount > avg(last(10)) * 0.8 + 1 ]"
    ).rules
    assert (offset.condition.values[0].kind, offset.condition.values[0].value) == ("now", -259200)
    assert [v.value for v in negative.condition.values] == [-5.0, -1.5]
    # one precedence, left to right, as the grammar's single binary alternative reads it
    assert dynamic.condition.values[0].value == (
        "op",
        "+",
        ("op", "*", ("call", "avg", (("call", "last", (("num", 10.0),)),)), ("num", 0.8)),
        ("num", 1.0),
    )


def test_sizes_durations_and_units():
    size, plain, fresh = parse(
        'Rules = [ FileSize < 10 MB, FileSize "s3://b/" > 1024, DataFreshness "d" < 2 days ]'
    ).rules
    assert (size.condition.kind, size.condition.values[0].unit) == ("SIZE", "MB")
    assert (plain.condition.kind, plain.condition.values[0].unit) == ("SIZE", "B")
    assert fresh.condition.values[0].unit == "days"


# Forms Glue's grammar rejects, each derived from a rule of the grammar or of its parser.
REJECTED = [
    # durations: (DIGIT | INT) ('days' | 'hours' | 'minutes')
    ('DataFreshness "d" <= 24 seconds', "'seconds' is not one"),
    ('DataFreshness "d" <= 1 day', "'day' is not one"),
    ('DataFreshness "d" <= 24', "DataFreshness takes a duration condition"),
    ('DataFreshness "d" <= 1.5 hours', "cannot read the condition '<= 1.5 hours'"),
    ('ColumnValues "d" > now() - 6 hours', "now() plus or minus a duration goes in parentheses"),
    # labels: '"key"="value"' pairs, before 'with' tags, at most 10, keys unique, not empty
    ('RowCount > 0 labels=["foo","bar"]', 'a label is "key"="value"'),
    ('RowCount > 0 with threshold > 1 labels=["a"="b"]', "RowCount takes no threshold"),
    ('ColumnValues "a" > 0 with threshold > 0.5 labels=["a"="b"]', "labels go after"),
    ("RowCount > 0 labels=[]", "at least one label"),
    ('RowCount > 0 labels=["a"="b", "a"="c"]', "label key 'a' is given twice"),
    ('RowCount > 0 labels=["a"=""]', "cannot be empty"),
    (
        "RowCount > 0 labels=[" + ", ".join(f'"k{i}"="v"' for i in range(11)) + "]",
        "at most 10 labels",
    ),
    ('RowCount > 0 labels ["a"="b"]', "expected '=' after labels"),
    ('IsComplete "a" labels=["a"="b"] where "x > 1"', "expected ',' or ']'"),
    ('(RowCount > 0) and (IsComplete "a") labels=["k"="v"]', "labels on one part of a composite"),
    ('Distribution "a"', "Distribution is an analyzer only"),
    # rule types, parameter counts, conditions
    ('IsCompletee "b"', "unknown rule type 'IsCompletee'"),
    ("RowCount", "RowCount needs a condition"),
    ('IsComplete "a" > 1', "IsComplete takes no condition"),
    ("Mean > 1", "Mean takes 1 parameter(s), found 0"),
    ("IsPrimaryKey > 1", "IsPrimaryKey takes one or more parameter(s), found 0"),
    ('AllStatistics "a"', "analyzer only"),
    ('Completeness "colA" = "1.0"', "Completeness takes a number condition"),
    ('ColumnValues "a" matches 5', "cannot read the condition"),
    ('ColumnValues "a" between "x" and "y"', "cannot read the condition"),
    ('RowCount > 0 where "x > 1" where "y"', "expected ',' or ']'"),
    ('CustomSql "select 1" > 0 where "x > 1"', "CustomSql takes no where clause"),
    ('IsComplete "a" where ""', "the where clause is empty"),
    ('ColumnLength "a" > 1 with threshold > 0.5', "ColumnLength takes no threshold"),
    ('ColumnValues "a" > 1 with threshold > 0.5 with threshold > 0.6', "only one threshold"),
    ('ColumnValues "a" > 1 with threshold "x"', "a threshold is a number condition"),
    ("FileUniqueness > 0.5 with recentFiles > 1", "tags take '= value' only"),
    ('FileFreshness > now() with timeZone = "Mars/Olympus"', "is not a time zone"),
    ('FileFreshness > "25:99"', "is not a time of day"),
    ('ColumnValues "d" > "2024-02-30"', "is not a date"),
    ('ColumnValues "a" = Null', "cannot read the condition"),  # NULL or null, not Null
    ('ColumnValues "a" BETWEEN 1 and 2', "'BETWEEN' is read as a column: keywords are lowercase"),
    # constants: name = "string" | [ strings ]; $name as a parameter or after 'in'
    ('ColumnValues "a" in $nope', "unknown constant $nope"),
    ("RowCount > $x", "a constant stands only for a rule parameter or after 'in'"),
    ('ColumnValues "a" = $x', "a constant stands only for a rule parameter or after 'in'"),
    ('ColumnValues "a" in ["b", $x]', "a constant stands only for a rule parameter or after 'in'"),
]


@pytest.mark.parametrize(("rule", "message"), REJECTED)
def test_forms_glue_rejects_are_errors_naming_the_line(rule, message):
    with pytest.raises(DqdlError) as error:
        parse(f'x = "1"\nRules = [\n  RowCount > 0,\n  {rule}\n]\n')
    assert str(error.value).startswith("line 4: "), str(error.value)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('Rules = [\n  IsComplete "a"\n  IsUnique "a"\n]\n', "is a ',' missing before IsUnique?"),
        ("Rules = [\n  RowCount > 1,\n]\n", "line 3: a ',' after the last rule"),
        ("Rules = [\n  RowCount > 1", "line 2: expected ',' or ']'"),
        ("Rulez = [ RowCount > 1 ]\n", "(is 'Rulez' meant to be 'Rules'?)"),
        ("# nothing here\n", "a ruleset needs rules"),
        ("Rules = [ ]\n", "a ruleset needs rules"),
        ('Rules = [\n  ColumnValues "a" @ 1\n]\n', "line 2: unexpected character '@'"),
        ("Rules = [ RowCount > 0 ]\n# no newline", "line 2: unexpected character '#'"),
        ("Rules = [ RowCount > 0 ]\r\n", "line 1: unexpected character a carriage return"),
        ('let x = "a"\nRules = [ RowCount > 0 ]\n', "line 1: DQDL has no 'let'"),
        ("x = 10\nRules = [ RowCount > 0 ]\n", "line 1: a constant is a quoted string"),
        ('_x = "a"\nRules = [ RowCount > 0 ]\n', "cannot start with '.' or '_'"),
        ('x = "a"\nx = "b"\nRules = [ RowCount > 0 ]\n', "line 2: constant 'x' is defined twice"),
        ('x = "$y"\nRules = [ RowCount > 0 ]\n', "constants cannot refer to constants"),
        ("Analyzers = [ RowCount ]\nRules = [ RowCount > 0 ]\n", "line 2: Rules is out of place"),
        ("Rules = [ RowCount > 0 ]\nRules = [ RowCount > 1 ]\n", "line 2: Rules is out of place"),
        ('Rules = [ RowCount > 0 ]\nDefaultLabels = ["a"="b"]\n', "DefaultLabels is out of place"),
        ('Metadata = { "Owner": "me" }\nRules = [ RowCount > 0 ]\n', "unsupported key"),
        ('Analyzers = [ IsComplete "a" ]\n', "it cannot be an analyzer"),
        ('Analyzers = [ Mean "a" > 1 ]\n', "expected ',' or ']'"),
        (
            'Analyzers = [ Distribution "a" with bins = 21 ]\n',
            "bins is a whole number from 1 to 20",
        ),
        ('Analyzers = [ Distribution "a" with buckets = 2 ]\n', "Distribution takes 'with bins"),
    ],
)
def test_document_mistakes_are_errors_naming_the_line(text, message):
    with pytest.raises(DqdlError) as error:
        parse(text)
    assert message in str(error.value)


def test_keywords_are_not_column_names_and_connector_words_join_parameters():
    (rule,) = parse('Rules = [ ColumnCorrelation "a" and "b" > 0.5 ]').rules
    assert rule.params == ("a", "b")
    (unique,) = parse('Rules = [ IsUnique colA "colB" ]').rules
    assert unique.params == ("colA", "colB")
    with pytest.raises(DqdlError):
        parse("Rules = [ IsComplete days ]\n")


def test_rules_the_local_evaluator_cannot_run_are_errors_naming_rule_and_line():
    with pytest.raises(DqdlError) as error:
        check_supported(parse('Rules = [\n  IsComplete "a",\n  SchemaMatch "ref" = 1.0\n]'))
    assert "line 3: rule 'SchemaMatch \"ref\" = 1.0'" in str(error.value)
    assert "not supported by the local evaluator" in str(error.value)
    with pytest.raises(DqdlError, match="Analyzers are evaluated on Glue only"):
        check_supported(parse("Rules = [ RowCount > 0 ]\nAnalyzers = [ RowCount ]"))


def test_the_repository_rulesets_parse_and_run_locally():
    from orderlake.definition import load_definition
    from orderlake.quality.rulesets import ruleset_arguments

    paths = ruleset_arguments("clean_orders", load_definition())
    assert set(paths) == {"blocking_ruleset", "warning_ruleset"}
    for path in paths.values():
        with open(path, encoding="utf-8") as handle:
            check_supported(parse(handle.read()))

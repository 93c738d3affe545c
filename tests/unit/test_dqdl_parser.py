"""The DQDL parser: AWS's documented examples parse; mistakes are errors naming the line."""

from __future__ import annotations

import pytest

from orderlake.quality.dqdl import Composite, DqdlError, Rule, parse, walk
from orderlake.quality.evaluate import check_supported

# Rule examples from AWS's DQDL reference (docs.aws.amazon.com/glue/latest/dg/dqdl.html and the
# dqdl-rule-types-*.html pages it links), one rule per entry.
AWS_EXAMPLES = [
    'IsComplete "order-id"',
    'IsUnique "order-id"',
    '(IsComplete "id") and (IsUnique "id")',
    '(RowCount "id" > 100) or (IsPrimaryKey "id")',
    '(Mean "Star_Rating" > 3) and (Mean "Order_Total" > 500) and (IsComplete "Order_Id")',
    '(Mean "Star_Rating" > 3) and ((Mean "Order_Total" > 500) or (IsComplete "Order_Id"))',
    '(RowCount > 0) or ((IsComplete "colA") and (IsUnique "colA"))',
    'ColumnValues "Country" in [ "US", "CA", "UK", NULL, EMPTY, WHITESPACES_ONLY ]',
    'ColumnValues "gender" in ["F", "M"] where "weightinkgs < 10"',
    'ColumnValues "First_Name" matches "[a-zA-Z]*"',
    'ColumnValues "Load_Date" > (now() - 3 days)',
    'ColumnValues "Customer_ID" between 1 and 2000',
    '(ColumnValues "Age" > 21) OR (ColumnValues "Age" = NULL)',
    'ColumnValues "Age" != 21',
    'ColumnValues "Age" not in [21, 22, 23]',
    '(ColumnValues "Age" != 21) AND (ColumnValues "Age" != NULL)',
    'ColumnValues "Age" not in [21, 22, 23, NULL]',
    'DataFreshness "Order_Date" <= 24 hours',
    'DataFreshness "Order_Date" between 2 days and 5 days',
    '(DataFreshness "Order_Date" <= 24 hours) OR (ColumnValues "Order_Date" = NULL)',
    'DataFreshness "file_ts" < 24 hours',
    'CustomSql "select count(*) from primary" between 10 and 20',
    'CustomSql "select Name from primary where Age  > 18"',
    'CustomSql "select Name from primary where Age > 18" with threshold > 3',
    'Completeness "colA" between 0.5 and 0.8',
    'Completeness "First_Name" > 0.95',
    'Completeness "colA" > 0.5 where "colB = 10"',
    "ColumnCount = 10",
    'ColumnDataType "colA" = "INTEGER"',
    'ColumnDataType "colA" = "INTEGER" with threshold > 0.9',
    'ColumnExists "Load_Date"',
    'ColumnLength "Postal_Code" = 5',
    'ColumnLength "First_Name" between 2 and 10',
    'ColumnNamesMatchPattern "aws_.*"',
    'ColumnCorrelation "height" "weight" > 0.8',
    'DistinctValuesCount "State" > 3',
    'Entropy "Star_Rating" > 1',
    'IsPrimaryKey "Customer_ID"',
    'IsPrimaryKey "Customer_ID" "Customer_Name"',
    'Mean "Star_Rating" > 3',
    'StandardDeviation "Star_Rating" < 1.5',
    'Sum "transaction_total" > 500000',
    'Uniqueness "email" = 1.0',
    'UniqueValueRatio "test_score" between 0 and 0.5',
    "RowCount between 10 and 100",
    "RowCount > 10",
    "RowCount > avg(last(10)) * 0.8",
    "RowCount >= 0.9 * avg(last(5))",
    'Sum "ColA" > avg(last(10))',
    'ReferentialIntegrity "city" "reference.city" = 1.0',
    'ReferentialIntegrity "city,state" "reference.{city,state}" > 0.9',
    'RowCountMatch "reference" >= 0.9',
    'SchemaMatch "reference" = 1.0',
    'DatasetMatch "reference" "ID_1,ID_2" >= 0.9',
    'AggregateMatch "sum(total_amount)" "sum(reference.total_amount)" >= 0.95',
    'DetectAnomalies "RowCount"',
]


@pytest.mark.parametrize("rule", AWS_EXAMPLES)
def test_aws_reference_examples_parse(rule):
    ruleset = parse(f"Rules = [\n    {rule}\n]")
    assert len(ruleset.rules) == 1
    node = ruleset.rules[0]
    assert " ".join(node.text.split()) == " ".join(rule.split())
    assert all(r.line == 2 for r in walk(node))


def test_whole_documents_with_comments_constants_and_analyzers():
    ruleset = parse(
        """# orders
        let minimum = 10
        let allowed = ["US", "CA"]
        Rules = [
            RowCount > $minimum,   # trailing comment
            ColumnValues "country" in $allowed,
            IsComplete "id",
        ]
        Analyzers = [
            RowCount,
            Completeness "AnalyzerColumn"
        ]
        """
    )
    assert [n.text for n in ruleset.rules] == [
        "RowCount > $minimum",
        'ColumnValues "country" in $allowed',
        'IsComplete "id"',
    ]
    first, second, _ = ruleset.rules
    assert isinstance(first, Rule) and first.condition.values[0].value == 10.0
    assert isinstance(second, Rule) and [v.value for v in second.condition.values] == ["US", "CA"]
    assert len(ruleset.analyzers) == 2


def test_composites_nest_and_keep_their_operator():
    node = parse('Rules = [ (RowCount > 0) or ((IsComplete "a") and (IsUnique "a")) ]').rules[0]
    assert isinstance(node, Composite) and node.op == "or"
    assert isinstance(node.parts[1], Composite) and node.parts[1].op == "and"


def test_where_threshold_and_now_offsets_are_read():
    rule = parse(
        'Rules = [ ColumnValues "ts" > (now() - 2 hours) where "x = 1" with threshold >= 0.9 ]'
    ).rules[0]
    assert rule.where == "x = 1"
    assert rule.condition.values[0].kind == "now"
    assert rule.condition.values[0].value == -7200.0
    assert rule.threshold.op == ">=" and rule.threshold.values[0].value == 0.9


def test_minus_is_an_operator_or_a_sign():
    offset, negative = parse(
        'Rules = [ ColumnValues "ts" > (now()-3 days), ColumnValues "x" between -5 and -1.5 ]'
    ).rules
    assert (offset.condition.values[0].kind, offset.condition.values[0].value) == ("now", -259200)
    assert [v.value for v in negative.condition.values] == [-5.0, -1.5]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'Rules = [\n  IsComplete "a",\n  IsCompletee "b"\n]',
            "line 3: unknown rule type 'IsCompletee'",
        ),
        ("Rules = [\n  RowCount\n]", "line 2: RowCount needs a condition"),
        ('Rules = [\n  IsComplete "a" > 1\n]', "line 2: IsComplete takes no condition"),
        ("Rules = [\n  Mean > 1\n]", "line 2: Mean takes 1 quoted parameter(s), found 0"),
        ('Rules = [\n  IsComplete "a"\n  IsUnique "a"\n]', "line 3: expected ',' or ']'"),
        ('Rules = [\n  (IsComplete "a") and (IsUnique "a") or (RowCount > 1)\n]', "line 2: mix of"),
        ('Rules = [\n  ColumnValues "a" in $nope\n]', "line 2: unknown constant $nope"),
        ("Rules = [\n  RowCount > 1", "line 2: expected ',' or ']'"),
        ("Rulez = [ RowCount > 1 ]", "line 1: expected 'Rules = ['"),
        ("# nothing here\n", "a ruleset needs a 'Rules = [ ... ]' list"),
        ('Rules = [\n  ColumnValues "a" @ 1\n]', "line 2: unexpected character '@'"),
    ],
)
def test_mistakes_are_errors_naming_the_line(text, message):
    with pytest.raises(DqdlError) as error:
        parse(text)
    assert message in str(error.value)


def test_rules_the_local_evaluator_cannot_run_are_errors_naming_rule_and_line():
    with pytest.raises(DqdlError) as error:
        check_supported(parse('Rules = [\n  IsComplete "a",\n  Entropy "a" > 1\n]'))
    assert "line 3: rule 'Entropy \"a\" > 1'" in str(error.value)
    assert "not supported by the local evaluator" in str(error.value)
    with pytest.raises(DqdlError, match="line 2: .*needs Glue's run history"):
        check_supported(parse("Rules = [\n  RowCount > avg(last(3))\n]"))
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

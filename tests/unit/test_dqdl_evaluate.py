"""The local DQDL evaluator: every supported rule type passes and fails where it should."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from pyspark.sql import functions as F
from pyspark.sql import types as T

from orderlake.quality.dqdl import DqdlError, parse, walk
from orderlake.quality.evaluate import AGGREGATE_RULES, ROW_RULES, evaluate
from orderlake.quality.outcome import ERROR, FAILED, PASSED

NOW = dt.datetime(2026, 11, 21, 12, 0, 0)

PASSING = [
    "RowCount = 4",
    "ColumnCount = 5",
    'ColumnExists "name"',
    'IsComplete "id"',
    'Completeness "name" between 0.7 and 0.8',
    'IsUnique "id"',
    'Uniqueness "country" = 0.5',
    'IsPrimaryKey "id"',
    'IsPrimaryKey "id" "country"',
    'ColumnValues "score" between 0 and 5',
    'ColumnValues "score" in [1, 2, 3, 4]',
    'ColumnValues "country" in ["US", "CA", WHITESPACES_ONLY]',
    'ColumnValues "name" matches "[A-Z][a-z]+" with threshold >= 0.75',
    'ColumnValues "name" != "Dan"',
    'ColumnValues "name" not in ["Dan"]',
    'ColumnValues "ts" > (now() - 2 days)',
    'ColumnValues "score" >= 1 where "country = \'US\'"',
    'ColumnLength "country" = 2',
    'DistinctValuesCount "country" = 3',
    'Mean "score" = 2.5',
    'Sum "score" = 10',
    'StandardDeviation "score" between 1.1 and 1.2',
    'DataFreshness "ts" <= 24 hours',
    'CustomSql "select count(*) from primary where score > 2" = 2',
    'CustomSql "select id from primary where score > 0"',
    '(RowCount > 0) and (IsComplete "id")',
    '(RowCount > 100) or (IsComplete "id")',
    'ColumnCorrelation "id" "score" > 0.99',
    'ColumnNamesMatchPattern "[a-z]+"',
    'Entropy "country" between 1.03 and 1.04',
    'UniqueValueRatio "name" = 1.0',
    'ColumnDataType "id" = "INTEGER"',
    'Variance "score" = 1.25',
]

FAILING = [
    "RowCount > 4",
    "ColumnCount < 5",
    'ColumnExists "nope"',
    'IsComplete "name"',
    'Completeness "name" > 0.9',
    'IsUnique "country"',
    'Uniqueness "country" > 0.5',
    'IsPrimaryKey "country"',
    'ColumnValues "score" between 1 and 4',
    'ColumnValues "score" in [1, 2, 3]',
    'ColumnValues "country" in ["US", "CA"]',
    'ColumnValues "name" matches "[A-Z][a-z]+"',
    'ColumnValues "name" != NULL',
    'ColumnValues "name" not in ["Ann"]',
    'ColumnValues "ts" > (now() - 1 days)',
    'ColumnValues "score" > 2 where "country = \'US\'"',
    'ColumnLength "name" between 2 and 4',
    'DistinctValuesCount "country" > 3',
    'Mean "score" < 2',
    'Sum "score" != 10',
    'StandardDeviation "score" > 2',
    'DataFreshness "ts" <= 12 hours',
    'CustomSql "select count(*) from primary where score > 2" > 2',
    'CustomSql "select id from primary where score > 1"',
    '(RowCount > 0) and (IsComplete "name")',
    '(RowCount > 100) or (IsComplete "name")',
    'ColumnCorrelation "id" "score" < 0.5',
    'ColumnNamesMatchPattern "s.*"',
    'Entropy "country" > 1.5',
    'UniqueValueRatio "country" > 0.7',
    'ColumnDataType "country" = "INTEGER"',
    'Variance "score" > 1.25',
]


@pytest.fixture(scope="module")
def frame(spark):
    schema = T.StructType(
        [
            T.StructField("id", T.IntegerType()),
            T.StructField("name", T.StringType()),
            T.StructField("score", T.DoubleType()),
            T.StructField("country", T.StringType()),
            T.StructField("ts", T.StringType()),
        ]
    )
    rows = [
        (1, "Ann", 1.0, "US", "2026-11-21 10:00:00"),
        (2, "Bob", 2.0, "CA", "2026-11-21 11:00:00"),
        (3, "Cy", 3.0, "US", "2026-11-20 12:00:00"),
        (4, None, 4.0, "  ", "2026-11-21 09:00:00"),
    ]
    df = spark.createDataFrame(rows, schema).withColumn("ts", F.to_timestamp("ts"))
    return df.cache()


def _run(frame, rules):
    return evaluate(frame, parse("Rules = [\n" + ",\n".join(rules) + "\n]"), now=NOW)


def test_every_local_rule_type_has_a_passing_and_a_failing_case():
    for cases in (PASSING, FAILING):
        types = {r.rule_type for text in cases for r in walk(parse(f"Rules = [{text}]").rules[0])}
        assert types == set(AGGREGATE_RULES + ROW_RULES)  # file rules: test_dqdl_files


def test_passing_rules_pass(frame):
    outcomes = _run(frame, PASSING)
    assert [(o.rule, o.outcome, o.failure_reason) for o in outcomes] == [
        (rule, PASSED, None) for rule in PASSING
    ]


def test_failing_rules_fail_with_a_reason(frame):
    outcomes = _run(frame, FAILING)
    assert [(o.rule, o.outcome) for o in outcomes] == [(rule, FAILED) for rule in FAILING]
    assert all(o.failure_reason for o in outcomes)


def test_outcomes_carry_the_measured_values(frame):
    count, completeness, values, composite = _run(
        frame,
        [
            "RowCount > 4",
            'Completeness "name" > 0.9',
            'ColumnValues "country" in ["US", "CA"]',
            '(RowCount > 0) and (IsComplete "name")',
        ],
    )
    assert count.evaluated_metrics == {"Dataset.*.RowCount": 4.0}
    assert count.failure_reason == "Value: 4 does not meet the constraint requirement!"
    assert completeness.evaluated_metrics == {"Column.name.Completeness": 0.75}
    assert values.evaluated_metrics == {"Column.country.ColumnValues.Compliance": 0.75}
    assert values.failure_reason == "75.00 % of rows passed the threshold"
    assert composite.evaluated_metrics == {
        "Dataset.*.RowCount": 4.0,
        "Column.name.Completeness": 0.75,
    }
    assert composite.failure_reason.startswith('IsComplete "name": Value: 0.75')


def test_a_rule_that_cannot_run_is_an_error_and_the_others_still_run(frame):
    outcomes = _run(
        frame,
        [
            'ColumnValues "nope" > 1',
            'Mean "name" > 1',
            'Completeness "name" > 0.5 where "no_such_column = 1"',
            "RowCount = 4",
        ],
    )
    assert [o.outcome for o in outcomes] == [ERROR, ERROR, ERROR, PASSED]
    assert "column 'nope' does not exist" in outcomes[0].failure_reason
    assert "no non-null values" in outcomes[1].failure_reason


UNIQUENESS_RULES = [
    'Uniqueness "country" = 0.5',
    'Uniqueness "name" > 0.5',
    'IsPrimaryKey "id" "country"',
    'IsUnique "country"',
]


def test_uniqueness_is_exact_whichever_way_the_values_are_grouped(frame, monkeypatch):
    from orderlake.quality import evaluate as E

    def measured(outcomes):
        return [(o.outcome, o.evaluated_metrics) for o in outcomes]

    by_hash = measured(_run(frame, UNIQUENESS_RULES))
    assert by_hash[0][1] == {"Column.country.Uniqueness": 0.5}  # US twice; CA, "  " once
    assert by_hash[1][1] == {"Column.name.Uniqueness": 0.75}  # a null is never unique
    # every row sharing one hash (as if all collided): the values are grouped again
    monkeypatch.setattr(E, "_row_hash", lambda values: F.lit(7).cast("long"))
    assert measured(_run(frame, UNIQUENESS_RULES)) == by_hash
    # too many shared hashes: the values are grouped directly
    monkeypatch.setattr(E, "SHARED_HASHES_LIMIT", 0)
    assert measured(_run(frame, UNIQUENESS_RULES)) == by_hash


# --- semantics as AWS documents them (issue 20) ----------------------------------------------


def test_column_length_counts_null_as_zero_length(frame):
    # dqdl-rule-types-ColumnLength.html: "The ColumnLength rule treats NULLs as 0 length
    # strings. For a NULL row: ColumnLength "Postal_Code" > 4 # this will fail /
    # ColumnLength "Postal_Code" < 6 # this will succeed". Row 4's name is NULL.
    short, long_ = _run(frame, ['ColumnLength "name" < 6', 'ColumnLength "name" > 1'])
    assert short.outcome == PASSED
    assert long_.outcome == FAILED
    assert long_.evaluated_metrics == {
        "Column.name.MinimumLength": 0.0,
        "Column.name.MaximumLength": 3.0,
        "Column.name.LengthCompliance": 0.75,
    }


def test_not_between_counts_the_ends_as_outside(frame):
    # dqdl.html: between "falls in a specified range (exclusive)", not between "does not fall
    # in a specified range (inclusive)": the ends belong to not between. awslabs/dqdl
    # NumberBasedCondition agrees: BETWEEN is low < x < high, NOT_BETWEEN x <= low || x >= high.
    outcomes = _run(
        frame,
        [
            'Mean "score" between 2.5 and 3',  # the mean is 2.5: an end
            'Mean "score" not between 2.5 and 3',
            'ColumnValues "score" not between 1 and 4 with threshold = 0.5',  # 1 and 4 pass
            'ColumnValues "score" between 1 and 4 with threshold = 0.5',  # 2 and 3 pass
        ],
    )
    assert [o.outcome for o in outcomes] == [FAILED, PASSED, PASSED, PASSED]


def test_a_quoted_number_is_a_string_condition_glue_rejects():
    # dqdl.html's expressions table shows `Completeness "colA" = "1.0"`; in AWS's grammar a
    # quoted value is a stringBasedCondition, and Completeness (return type NUMBER) takes a
    # numberBasedCondition, so Glue's parser rejects the rule. The unquoted form works.
    with pytest.raises(DqdlError, match="Completeness takes a number condition"):
        parse('Rules = [ Completeness "colA" = "1.0" ]')
    assert parse('Rules = [ Completeness "colA" = 1.0 ]').rules[0].condition.values[0].value == 1


def test_an_invalid_where_clause_is_an_error_for_its_rule_only(frame):
    # dqdl.html: "If invalid, the rule evaluation will fail": that rule, not the ruleset.
    outcomes = _run(
        frame,
        [
            "RowCount > 0 where \"country = = 'US'\"",
            'IsComplete "id" where "nope > 1"',
            "RowCount = 4",
            'Completeness "id" = 1.0',
        ],
    )
    assert [o.outcome for o in outcomes] == [ERROR, ERROR, PASSED, PASSED]
    assert "invalid where clause" in outcomes[0].failure_reason


def test_a_duration_rule_without_a_unit_is_a_parse_error_naming_its_line():
    # dqdl-rule-types-DataFreshness.html: "You must specify the time unit in your expression."
    with pytest.raises(DqdlError, match="line 3: DataFreshness takes a duration condition"):
        parse('Rules = [\n  RowCount > 0,\n  DataFreshness "ts" <= 24\n]')


def test_multi_column_uniqueness_is_evaluated(frame):
    # dqdl-rule-types-Uniqueness.html / -IsUnique.html: "The following example rule checks
    # multiple columns." Rows: (US, Ann), (CA, Bob), (US, Cy), ("  ", NULL): a row with a
    # NULL is never unique (deequ), so 3 of 4.
    unique, share, failing = _run(
        frame,
        [
            'IsUnique "id" "country"',
            'Uniqueness "country" "name" = 0.75',
            'IsUnique country "name"',
        ],
    )
    assert (unique.outcome, share.outcome, failing.outcome) == (PASSED, PASSED, FAILED)
    assert share.evaluated_metrics == {"Multicolumn.country,name.Uniqueness": 0.75}


def test_metrics_carry_glue_s_names(frame):
    # dqdl-rule-types.html, "Reported Metrics": ColumnExists N/A; IsPrimaryKey uniqueness and
    # completeness; ColumnValues Minimum/Maximum; ColumnLength MinimumLength/MaximumLength.
    outcomes = _run(
        frame,
        [
            'ColumnExists "name"',
            'IsPrimaryKey "id"',
            'IsPrimaryKey "id" "country"',
            'ColumnValues "score" between 0 and 5',
            'ColumnValues "name" matches "[A-Z][a-z]+" with threshold >= 0.5',
            'ColumnValues "score" > 1 with threshold >= 0.5',
            'ColumnLength "country" = 2',
            'ColumnCorrelation "id" "score" > 0.5',
            'ColumnNamesMatchPattern "[a-z]{2,5}"',
        ],
    )
    assert [o.evaluated_metrics for o in outcomes] == [
        {},
        {"Column.id.Uniqueness": 1.0, "Column.id.Completeness": 1.0},
        {
            "Multicolumn.id,country.Uniqueness": 1.0,
            "Column.id.Completeness": 1.0,
            "Column.country.Completeness": 1.0,
        },
        {"Column.score.Minimum": 1.0, "Column.score.Maximum": 4.0},
        {"Column.name.PatternMatch": 0.75},
        {
            "Column.score.Minimum": 1.0,
            "Column.score.Maximum": 4.0,
            "Column.score.ColumnValues.Compliance": 0.75,
        },
        {
            "Column.country.MinimumLength": 2.0,
            "Column.country.MaximumLength": 2.0,
            "Column.country.LengthCompliance": 1.0,
        },
        {"Multicolumn.id,score.ColumnCorrelation": 1.0},
        {"Dataset.*.ColumnNamesPatternMatchRatio": 0.8},  # "country" is 7 letters
    ]


def test_entropy_is_deequ_s_natural_log_entropy_of_the_non_null_values(frame):
    # dqdl-rule-types-Entropy.html: "Given the probability distribution over values in a
    # column, entropy describes how many bits are required to identify a value." Glue runs
    # deequ, whose Entropy analyzer sums -(count/rows) * math.log(count/rows) over the
    # non-null values (natural log, so nats, not bits). country: US twice, CA and "  " once.
    country, name, bits, dynamic = _run(
        frame,
        [
            'Entropy "country" > 1',
            'Entropy "name" > 1 where "id < 4"',
            'Entropy "country" >= 1.5',  # 1.5 would be the entropy in bits
            'Entropy "country" < max(last(10))',
        ],
    )
    p = [0.5, 0.25, 0.25]
    assert country.outcome == PASSED
    assert country.evaluated_metrics == {
        "Column.country.Entropy": pytest.approx(-sum(x * math.log(x) for x in p))
    }
    assert name.evaluated_metrics == {"Column.name.Entropy": pytest.approx(math.log(3))}
    assert bits.outcome == FAILED
    assert dynamic.outcome == ERROR  # no history: says so instead of passing
    assert "Column.country.Entropy" in dynamic.evaluated_metrics


def test_unique_value_ratio_is_unique_values_over_distinct_values(frame):
    # dqdl-rule-types-UniqueValueRatio.html: "A unique value ratio is the fraction of unique
    # values divided by the number of all distinct values in a column. Unique values occur
    # exactly one time, while distinct values occur at least once. For example, the set
    # [a, a, b] contains one unique value (b) and two distinct values (a and b). So the unique
    # value ratio of the set is 1/2 = 0.5." country: CA and "  " unique; US, CA, "  " distinct.
    # deequ's UniqueValueRatio counts non-null values only: name's NULL is neither.
    country, name, where = _run(
        frame,
        [
            'UniqueValueRatio "country" between 0 and 0.7',
            'UniqueValueRatio "name" = 1',
            'UniqueValueRatio "country" = 1 where "id > 1"',  # CA, US, "  "
        ],
    )
    assert country.evaluated_metrics == {"Column.country.UniqueValueRatio": pytest.approx(2 / 3)}
    assert [o.outcome for o in (country, name, where)] == [PASSED, PASSED, PASSED]


def test_column_data_type_counts_the_values_that_cast_to_the_type(spark):
    # dqdl-rule-types-ColumnDataType.html: "Checks if the values in a given column can be cast
    # in Apache Spark to the provided type. Accepts a with threshold expression to check for a
    # subset of the values in the column." `ColumnDataType "colA" = "INTEGER" with threshold >
    # 0.9`: "more than 90% of the values ... can be cast as integers". As deequ's
    # ColumnDataTypeRule, a NULL does not cast (it counts against `=`).
    df = spark.createDataFrame(
        [
            ("1", "2026-11-21", "true"),
            ("2", "21-11-2026", "yes"),
            ("x", None, "false"),
            (None, "2026-01-02", None),
        ],
        "colA string, d string, b string",
    )
    rules = [
        'ColumnDataType "colA" = "INTEGER"',
        'ColumnDataType "colA" = "INTEGER" with threshold >= 0.5',
        'ColumnDataType "colA" = "integer" with threshold > 0.9',
        'ColumnDataType "colA" != "INTEGER" with threshold = 0.5',
        'ColumnDataType "d" = "Date" with threshold = 0.5',
        'ColumnDataType "d" = "DATE" with format = "dd-MM-yyyy" with threshold = 0.25',
        'ColumnDataType "b" = "Boolean" with threshold = 0.75',  # Spark casts "yes" too
        'ColumnDataType "colA" = "DECIMAL(5,2)" with threshold = 0.5',
        'ColumnDataType "colA" = "VARCHAR"',
    ]
    outcomes = evaluate(df, parse("Rules = [\n" + ",\n".join(rules) + "\n]"), now=NOW)
    assert [o.outcome for o in outcomes] == [FAILED] + [PASSED] + [FAILED] + [PASSED] * 5 + [ERROR]
    assert outcomes[0].evaluated_metrics == {"Column.colA.ColumnDataType.Compliance": 0.5}
    assert outcomes[0].failure_reason == "50.00 % of rows passed the threshold"
    assert "unrecognized data type 'VARCHAR'" in outcomes[-1].failure_reason

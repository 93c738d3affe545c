"""orderlake.spark adds its driver Java options to those of spark-defaults.conf (the Glue 5
image sets some there) rather than replacing them."""

from __future__ import annotations

from orderlake.spark import spark_defaults, with_java_options


def test_options_are_added_after_the_defaults(tmp_path, monkeypatch):
    (tmp_path / "spark-defaults.conf").write_text(
        "# the image's\n"
        "spark.driver.extraJavaOptions\t-XX:+UseG1GC -Dimage=1\n"
        "spark.executor.memory=2g\n"
        "spark.sql.catalogImplementation : hive\n"
    )
    monkeypatch.setenv("SPARK_CONF_DIR", str(tmp_path))
    assert spark_defaults() == {
        "spark.driver.extraJavaOptions": "-XX:+UseG1GC -Dimage=1",
        "spark.executor.memory": "2g",
        "spark.sql.catalogImplementation": "hive",
    }
    assert with_java_options("spark.driver.extraJavaOptions", "-Dquiet=1") == (
        "-XX:+UseG1GC -Dimage=1 -Dquiet=1"
    )


def test_without_a_defaults_file_the_options_are_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("SPARK_CONF_DIR", str(tmp_path))
    assert with_java_options("spark.driver.extraJavaOptions", "-Dquiet=1") == "-Dquiet=1"

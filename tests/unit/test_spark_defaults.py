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


def test_a_small_day_starts_its_session_with_the_quick_jit_only(tmp_path, monkeypatch):
    import datetime as dt
    from types import SimpleNamespace

    from orderlake import runner, spark

    pipeline = runner.LocalPipeline(tmp_path, record_history=False)
    day = dt.date(2026, 11, 21)
    raw = tmp_path / "raw" / "orders" / f"dt={day}"
    assert not pipeline._small_day(day)  # no raw partition: nothing says the day is small
    raw.mkdir(parents=True)
    (raw / "orders.csv").write_bytes(b"x" * 1000)
    assert pipeline._small_day(day)
    monkeypatch.setattr(runner, "SMALL_DAY_BYTES", 1000)
    assert not pipeline._small_day(day)

    class Builder:  # records the settings local_session gives, starts no JVM
        conf: dict[str, str] = {}
        sparkContext = SimpleNamespace(setLogLevel=lambda level: None)  # noqa: N815

        def __getattr__(self, name):
            return lambda *args: self

        def config(self, key, value):
            self.conf[key] = value
            return self

    monkeypatch.setattr(spark.SparkSession, "builder", Builder())
    monkeypatch.setattr(spark.SparkSession, "getActiveSession", staticmethod(lambda: None))
    monkeypatch.setattr(spark, "require_java", lambda: None)
    monkeypatch.setenv("SPARK_CONF_DIR", str(tmp_path))
    for quick in (True, False):
        Builder.conf.clear()
        spark.local_session(quick_jit=quick)
        options = Builder.conf["spark.driver.extraJavaOptions"]
        assert (spark.QUICK_JIT in options) is quick

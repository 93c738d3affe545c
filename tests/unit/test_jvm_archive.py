"""The class-sharing archive's choices, without a Spark session: where it applies, what names
it, and that only an archive a JVM maps is published."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from orderlake import jvm_archive

JAVA = shutil.which("java") or "java"
VERSION = subprocess.run([JAVA, "-version"], capture_output=True, text=True).stderr


@pytest.fixture
def spark_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "spark"
    (home / "jars").mkdir(parents=True)
    (home / "jars" / "spark-core.jar").write_bytes(b"jar")
    monkeypatch.setenv("SPARK_HOME", str(home))
    monkeypatch.setenv(jvm_archive.ENV, str(tmp_path / "cache"))
    for name in (
        *jvm_archive.CLASS_PATH_FOLDERS,
        *jvm_archive.CLASS_PATH_ENV,
        *jvm_archive.JAVA_OPTIONS_ENV,
        "SPARK_CONF_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    return home


def test_an_archive_per_java_and_spark_jars(spark_home: Path, tmp_path: Path) -> None:
    archive = jvm_archive.for_session(JAVA, VERSION, {})
    assert archive is not None and archive.path.parent == tmp_path / "cache"
    assert not archive.ready
    assert f"-XX:ArchiveClassesAtExit={archive.pending}" in archive.java_options()
    assert jvm_archive.for_session(JAVA, VERSION, {}) == archive
    (spark_home / "jars" / "spark-core.jar").write_bytes(b"another jar")  # an upgrade
    assert jvm_archive.for_session(JAVA, VERSION, {}).path != archive.path


def test_a_ready_archive_is_mapped(spark_home: Path) -> None:
    archive = jvm_archive.for_session(JAVA, VERSION, {})
    archive.path.write_bytes(b"archive")
    assert archive.java_options() == f"-XX:SharedArchiveFile={archive.path} -Xlog:cds*=off"


@pytest.mark.parametrize(
    "setting",
    [
        {"env": {jvm_archive.ENV: "off"}},
        {"env": {"SPARK_DIST_CLASSPATH": "/opt/hadoop/lib/*"}},
        {"conf_file": "SPARK_CONF_DIR"},
        {"conf_file": "HADOOP_CONF_DIR"},
        {"conf_file": "spark_home/conf"},
        {"extra": {"spark.jars": "/opt/x.jar"}},
    ],
    ids=["off", "dist-classpath", "spark-conf-dir", "hadoop-conf-dir", "spark-home-conf", "jars"],
)
def test_no_archive_where_the_class_path_holds_more_than_jars(
    spark_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: dict
) -> None:
    for name, value in setting.get("env", {}).items():
        monkeypatch.setenv(name, value)
    if "conf_file" in setting:
        where = setting["conf_file"]
        folder = spark_home / "conf" if where == "spark_home/conf" else tmp_path / where
        folder.mkdir()
        (folder / "spark-defaults.conf").write_text("spark.driver.memory 2g\n")
        if where != "spark_home/conf":
            monkeypatch.setenv(where, str(folder))
    assert jvm_archive.for_session(JAVA, VERSION, setting.get("extra", {})) is None


@pytest.mark.parametrize(
    "name, options",
    [
        ("JAVA_TOOL_OPTIONS", "-Xmx2g -javaagent:/opt/apm/agent.jar=service=orders"),
        ("_JAVA_OPTIONS", "-agentpath:/opt/yourkit/libyjpagent.so"),
        ("JDK_JAVA_OPTIONS", "-agentlib:hprof=cpu=samples"),
        ("SPARK_SUBMIT_OPTS", "-XX:StartFlightRecording=filename=run.jfr"),
        ("JAVA_TOOL_OPTIONS", "-Xshare:off"),
        ("PYSPARK_SUBMIT_ARGS", "--driver-java-options -Dx=1 pyspark-shell"),
        ("PYSPARK_SUBMIT_ARGS", '--conf "spark.driver.extraJavaOptions=-Dx=1" pyspark-shell'),
    ],
    ids=[
        "javaagent",
        "agentpath",
        "agentlib",
        "flight-recording",
        "xshare",
        "driver-options",
        "driver-conf",
    ],
)
def test_no_archive_beside_an_agent_or_options_that_replace_ours(
    spark_home: Path, monkeypatch: pytest.MonkeyPatch, name: str, options: str
) -> None:
    """Java 17 crashes loading an archived class when an agent may transform classes."""
    monkeypatch.setenv(name, options)
    assert jvm_archive.for_session(JAVA, VERSION, {}) is None


def test_options_that_neither_transform_classes_nor_replace_ours_keep_the_archive(
    spark_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JAVA_TOOL_OPTIONS", "-Xmx3g -agentlib:jdwp=transport=dt_socket,server=y")
    monkeypatch.setenv("PYSPARK_SUBMIT_ARGS", "--driver-memory 3g pyspark-shell")
    assert jvm_archive.for_session(JAVA, VERSION, {}) is not None
    assert jvm_archive.for_session(JAVA, VERSION, {"spark.driver.extraJavaOptions": "-Dx"}) is None


def test_an_empty_conf_folder_keeps_the_archive(spark_home: Path) -> None:
    (spark_home / "conf").mkdir()
    assert jvm_archive.for_session(JAVA, VERSION, {}) is not None


class ExitedJvm:
    """A Popen that has exited with `code` after writing `written` to the pending archive."""

    def __init__(self, archive: jvm_archive.ClassArchive, written: bytes | None, code: int):
        self.archive, self.written, self.code = archive, written, code
        self.stdin = self

    def close(self) -> None:
        if self.written is not None:
            self.archive.pending.write_bytes(self.written)

    def wait(self, timeout: float) -> int:
        return self.code


@pytest.mark.parametrize(
    "written, code",
    [(None, 0), (b"not an archive", 0), (b"whatever", 1)],
    ids=["nothing-written", "not-an-archive", "jvm-failed"],
)
def test_only_an_archive_a_jvm_maps_is_published(spark_home: Path, written, code) -> None:
    archive = jvm_archive.for_session(JAVA, VERSION, {})
    archive.publish(ExitedJvm(archive, written, code))
    assert not archive.ready
    assert not archive.pending.exists()


def test_a_truncated_archive_is_not_published(
    spark_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The JVM crashes on a truncated archive, so the JVM's exit code alone is not enough;
    the crash leaves no report behind."""
    monkeypatch.chdir(tmp_path)
    whole = tmp_path / "whole.jsa"
    dumped = subprocess.run(
        [JAVA, f"-XX:ArchiveClassesAtExit={whole}", "-Xlog:cds*=off", "-version"],
        capture_output=True,
    )
    assert dumped.returncode == 0 and whole.is_file()
    archive = jvm_archive.for_session(JAVA, VERSION, {})
    assert archive.maps(whole)
    archive.publish(ExitedJvm(archive, whole.read_bytes()[: whole.stat().st_size // 2], 0))
    assert not archive.ready and not archive.pending.exists()
    archive.publish(ExitedJvm(archive, whole.read_bytes(), 0))
    assert archive.ready and archive.maps(archive.path)
    assert not list(tmp_path.glob("hs_err*"))


def test_stale_temporary_archives_are_removed(spark_home: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    stale, fresh = cache / "spark-classes-a.1.tmp", cache / "spark-classes-a.2.tmp"
    for leftover in (stale, fresh):
        leftover.write_bytes(b"partial")
    old = stale.stat().st_mtime - 2 * jvm_archive.STALE_AFTER_S
    os.utime(stale, (old, old))
    jvm_archive.for_session(JAVA, VERSION, {})
    assert not stale.exists() and fresh.exists()


def test_archives_unused_for_two_weeks_are_removed_and_the_current_one_kept(
    spark_home: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    current = jvm_archive.for_session(JAVA, VERSION, {})
    assert current is not None
    superseded, recent = cache / "spark-classes-0ld.jsa", cache / "spark-classes-n3w.jsa"
    for archive in (current.path, superseded, recent):
        archive.write_bytes(b"archive")
    long_ago = time.time() - 2 * jvm_archive.UNUSED_AFTER_S
    for archive in (current.path, superseded):
        os.utime(archive, (long_ago, long_ago))
    assert jvm_archive.for_session(JAVA, VERSION, {}) == current
    assert not superseded.exists() and recent.exists()
    # The current archive was old too: this session marked it used, and it stays.
    assert current.path.exists() and current.path.stat().st_mtime > long_ago + 3600

"""A class-sharing archive for the local Spark JVM: a faster start for every local run after
the first.

A fresh JVM loads, parses and verifies every class of Spark's jars it needs before and while
it runs the first rows; at a small day that is a good part of `orderlake run`'s wall time
(docs/performance.md). Java's class data sharing keeps them, already parsed and verified, in
a file the next JVM maps. The first local session that
finds no archive for its Java and its Spark jars has its JVM write one when it exits
(`-XX:ArchiveClassesAtExit`); later sessions map it (`-XX:SharedArchiveFile`).

An archive is only published whole: the JVM writes it under a temporary name, and the name is
given once the JVM has exited cleanly and a JVM maps the file (a truncated archive crashes the
JVM that maps it). Its name is a hash of what it was built from (the Java runtime, Spark's
jars), so an upgrade of either gets a new one; one that no session has used for two weeks is
removed. The JVM refuses an archive whose class path is not the one it was written with; Java
only archives classes of jars, so a session whose class path holds a configuration folder with
files in it (SPARK_CONF_DIR, HADOOP_CONF_DIR, ...) gets no archive. Nor does a JVM given a
Java agent or a flight recording (JAVA_TOOL_OPTIONS, SPARK_SUBMIT_OPTS, ...): Java 17 crashes
(SIGSEGV) loading an archived class while an agent may transform classes.

ORDERLAKE_CLASS_ARCHIVE=off turns it off; any other value is the folder for archives
(default: $XDG_CACHE_HOME/orderlake, else ~/.cache/orderlake).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENV = "ORDERLAKE_CLASS_ARCHIVE"
# The JVM's own archive messages (classes it cannot archive, ...) would go to stdout.
QUIET = "-Xlog:cds*=off"
# Writing the archive (about 150 MB) at exit took the first `make run` from ~15 s to 38 s; a
# JVM still writing after this long is left to finish, and a later session removes its file.
WRITE_TIMEOUT_S = 180
STALE_AFTER_S = 3600
# An archive no session has used for this long (one of a Java or Spark replaced since, or of a
# deleted virtualenv: each leaves ~150 MB) is removed; each session that uses one touches it.
UNUSED_AFTER_S = 14 * 24 * 3600
# Class path entries outside Spark's jars that a session's JVM may be given.
CLASS_PATH_FOLDERS = ("HADOOP_CONF_DIR", "YARN_CONF_DIR")
CLASS_PATH_ENV = ("SPARK_DIST_CLASSPATH", "SPARK_CLASSPATH", "SPARK_PREPEND_CLASSES")
# Where the driver JVM's options come from besides ours.
JAVA_OPTIONS_ENV = (
    "JAVA_TOOL_OPTIONS",
    "_JAVA_OPTIONS",
    "JDK_JAVA_OPTIONS",
    "SPARK_SUBMIT_OPTS",
    "PYSPARK_SUBMIT_ARGS",
)
# Options that rule an archive out: agents that may transform classes (the JVM crashes loading
# an archived class with one: measured with a no-op -javaagent and with a flight recording;
# jdwp, the debugger, does not), and sharing settings of the user's own.
NO_SHARING_WITH = (
    "-javaagent:",
    "-agentpath:",
    "-XX:StartFlightRecording",
    "-XX:+FlightRecorder",
    "-Xshare:",
    "-XX:SharedArchiveFile",
    "-XX:ArchiveClassesAtExit",
)
DEBUGGER = "-agentlib:jdwp"
# Driver options in PYSPARK_SUBMIT_ARGS replace the session's, archive options included.
REPLACES_OURS = ("spark.driver.extraJavaOptions", "--driver-java-options")


@dataclass(frozen=True)
class ClassArchive:
    """The archive for one Java runtime and one set of Spark jars."""

    path: Path
    java: str

    @property
    def ready(self) -> bool:
        return self.path.is_file()

    def java_options(self) -> str:
        """The JVM options that map the archive, or, when there is none yet, write it."""
        if self.ready:
            return f"-XX:SharedArchiveFile={self.path} {QUIET}"
        return f"-XX:ArchiveClassesAtExit={self.pending} {QUIET}"

    @property
    def pending(self) -> Path:
        return self.path.with_name(f"{self.path.stem}.{os.getpid()}.tmp")

    def maps(self, archive: Path) -> bool:
        """Whether a JVM starts with `archive` mapped: it says "sharing" in its version line
        (a file that is no archive is ignored; a truncated one crashes the JVM)."""
        # A crash's report (hs_err_pid*.log) would land in the working directory.
        no_report = f"-XX:ErrorFile={os.devnull}"
        try:
            done = subprocess.run(
                [self.java, f"-XX:SharedArchiveFile={archive}", QUIET, no_report, "-version"],
                capture_output=True,
                timeout=60,
            )
        except (OSError, subprocess.SubprocessError):
            return False
        return done.returncode == 0 and b"sharing" in done.stderr

    def publish(self, jvm: Any) -> None:
        """Once the session's JVM (a Popen) has exited, give its archive the archive's name."""
        print(
            f"orderlake: saving the Spark JVM's classes for faster starts (once): {self.path}",
            file=sys.stderr,
            flush=True,
        )
        pending = self.pending
        try:
            jvm.stdin.close()  # the gateway exits when its stdin closes
            exited = jvm.wait(timeout=WRITE_TIMEOUT_S)
        except (OSError, subprocess.SubprocessError, KeyboardInterrupt):
            # Not waited for (Ctrl-C included): the JVM ignores SIGINT and finishes writing;
            # its temporary file is never published and a later session removes it.
            return
        if exited == 0 and pending.is_file() and self.maps(pending):
            os.replace(pending, self.path)
        else:
            pending.unlink(missing_ok=True)


def for_session(java: str, version: str, extra_conf: dict[str, str]) -> ClassArchive | None:
    """The archive a local session's JVM should map or write, or None where there is none;
    `version` is what `java -version` says."""
    setting = os.environ.get(ENV, "")
    if setting.lower() in ("off", "0", "false", "no"):
        return None
    spark_home = _spark_home()
    if spark_home is None or not _only_jars_on_class_path(spark_home, extra_conf):
        return None
    if not _java_options_allow_sharing(extra_conf):
        return None
    folder = Path(setting) if setting else _cache_home() / "orderlake"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    key = hashlib.sha256(_built_from(java, version, spark_home).encode()).hexdigest()[:16]
    archive = ClassArchive(folder / f"spark-classes-{key}.jsa", java)
    if archive.ready:
        with contextlib.suppress(OSError):  # in use: its time says when a session last used it
            os.utime(archive.path)
    _remove_stale(folder, archive.path)
    return archive


def start(archive: ClassArchive | None, spark: Any) -> None:
    """After the session started: when its JVM writes the archive, publish it at exit."""
    if archive is None or archive.ready:
        return
    jvm = getattr(spark.sparkContext._gateway, "proc", None)
    if jvm is None or jvm.stdin is None:
        return

    def at_exit() -> None:
        spark.stop()
        archive.publish(jvm)

    atexit.register(at_exit)


def _spark_home() -> Path | None:
    if os.environ.get("SPARK_HOME"):
        return Path(os.environ["SPARK_HOME"])
    try:
        from pyspark.find_spark_home import _find_spark_home

        return Path(_find_spark_home())
    except Exception:  # no Spark found: the session itself will say so
        return None


def _only_jars_on_class_path(spark_home: Path, extra_conf: dict[str, str]) -> bool:
    """Whether the driver's class path is Spark's jars and folders without files in them,
    as Spark's launcher builds it."""
    if any(os.environ.get(name) for name in CLASS_PATH_ENV):
        return False
    if any(key.startswith(("spark.driver.extraClassPath", "spark.jars")) for key in extra_conf):
        return False
    folders = [os.environ.get("SPARK_CONF_DIR") or str(spark_home / "conf")]
    folders += [os.environ[name] for name in CLASS_PATH_FOLDERS if os.environ.get(name)]
    return not any(os.path.isdir(folder) and any(os.scandir(folder)) for folder in folders)


def _java_options_allow_sharing(extra_conf: dict[str, str]) -> bool:
    """Whether nothing else given to the driver JVM rules the archive out (NO_SHARING_WITH) or
    replaces the options that name it."""
    if "spark.driver.extraJavaOptions" in extra_conf:
        return False
    if any(marker in os.environ.get("PYSPARK_SUBMIT_ARGS", "") for marker in REPLACES_OURS):
        return False
    options = " ".join(os.environ.get(name, "") for name in JAVA_OPTIONS_ENV).split()
    return not any(
        option.startswith(NO_SHARING_WITH)
        or (option.startswith("-agentlib:") and not option.startswith(DEBUGGER))
        for option in options
    )


def _built_from(java: str, version: str, spark_home: Path) -> str:
    """What an archive depends on: the Java runtime and Spark's jars, names, sizes and times."""
    real_java = os.path.realpath(java)
    # Without the "Picked up JAVA_TOOL_OPTIONS: ..." line: options do not change the runtime.
    said = [line for line in version.splitlines() if "Picked up" not in line]
    parts = [real_java, str(os.stat(real_java).st_mtime_ns), *said]
    jars = spark_home / "jars"
    if jars.is_dir():
        for jar in sorted(jars.iterdir()):
            info = jar.stat()
            parts.append(f"{jar.name} {info.st_size} {info.st_mtime_ns}")
    return "\n".join(parts)


def _cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


def _remove_stale(folder: Path, current: Path) -> None:
    """Temporary archives of sessions that ended without publishing them, and archives other
    than `current` that no session has used for UNUSED_AFTER_S."""
    now = time.time()
    leftovers = [(path, STALE_AFTER_S) for path in folder.glob("spark-classes-*.tmp")]
    leftovers += [
        (path, UNUSED_AFTER_S) for path in folder.glob("spark-classes-*.jsa") if path != current
    ]
    for leftover, after in leftovers:
        try:
            if leftover.stat().st_mtime < now - after:
                leftover.unlink()
        except OSError:
            pass

"""The class-sharing archive as a local run uses it: the first session's JVM writes it when it
exits, and the next session's JVM loads Spark's classes from it. Slow (two sessions, one
writing ~150 MB): scripts/run_tests.sh runs it beside the Glue wheel's spark-submits."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orderlake import jvm_archive

SESSION = (
    "from orderlake.spark import local_session\n"
    "print(local_session(class_archive=True).range(5).count())\n"
)


# A Java agent that transforms nothing: with it the JVM may transform classes, and Java 17
# crashes loading an archived class then, so a session beside it must not map the archive.
NO_OP_AGENT = """
import java.lang.instrument.*;
public class NoOpAgent {
  public static void premain(String args, Instrumentation instrumentation) {
    instrumentation.addTransformer(new ClassFileTransformer() {}, true);
  }
}
"""


def _agent_jar(folder: Path) -> Path:
    if not (shutil.which("javac") and shutil.which("jar")):
        pytest.skip("a JDK's javac and jar build the test's Java agent")
    (folder / "NoOpAgent.java").write_text(NO_OP_AGENT)
    (folder / "manifest.txt").write_text(
        "Premain-Class: NoOpAgent\nCan-Retransform-Classes: true\n"
    )
    subprocess.run(["javac", "NoOpAgent.java"], cwd=folder, check=True)
    classes = [p.name for p in folder.glob("NoOpAgent*.class")]
    subprocess.run(["jar", "cfm", "agent.jar", "manifest.txt", *classes], cwd=folder, check=True)
    return folder / "agent.jar"


def _session(env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", SESSION],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
    )


@pytest.mark.slow
def test_the_next_session_loads_spark_from_the_archive_the_first_wrote(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {k: v for k, v in os.environ.items() if k not in ("SPARK_CONF_DIR", "JAVA_TOOL_OPTIONS")}
    env[jvm_archive.ENV] = str(cache)

    first = _session(env)
    assert first.returncode == 0, first.stderr
    assert first.stdout == "5\n"  # none of the JVM's archive messages in the output
    assert "saving the Spark JVM's classes" in first.stderr
    assert [p.suffix for p in cache.iterdir()] == [".jsa"]  # published whole, nothing pending

    loaded = tmp_path / "loaded"
    loaded.mkdir()
    env["JAVA_TOOL_OPTIONS"] = f"-Xlog:class+load=info:file={loaded}/%p.log"
    second = _session(env)
    assert second.returncode == 0, second.stderr
    assert second.stdout == "5\n"
    assert "saving" not in second.stderr
    driver = [p.read_text() for p in loaded.iterdir() if "SparkContext " in p.read_text()]
    assert len(driver) == 1
    assert "org.apache.spark.SparkContext source: shared objects file (top)" in driver[0]

    agent = tmp_path / "agent"
    agent.mkdir()
    env["JAVA_TOOL_OPTIONS"] = f"-javaagent:{_agent_jar(agent)}"
    beside_an_agent = _session(env, cwd=tmp_path)  # a crash's report would land there
    assert beside_an_agent.returncode == 0, beside_an_agent.stdout + beside_an_agent.stderr
    assert beside_an_agent.stdout == "5\n"
    assert not list(tmp_path.glob("hs_err*"))

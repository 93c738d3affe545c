"""The pipeline definition (`pipeline.yaml`), read once by Terraform and by the local runner."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from orderlake.errors import OrderlakeError

DEFINITION_FILE = "pipeline.yaml"


def project_root() -> Path:
    """The repository folder holding pipeline.yaml, sql/ and glue_jobs/.

    ORDERLAKE_HOME overrides it (e.g. inside the Glue container, or for an installed package).
    """
    override = os.environ.get("ORDERLAKE_HOME")
    if override:
        return Path(override).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / DEFINITION_FILE).is_file():
            return parent
    raise OrderlakeError(
        f"cannot find {DEFINITION_FILE} above {here}; set ORDERLAKE_HOME to the orderlake checkout"
    )


@dataclass(frozen=True)
class JobDefinition:
    name: str
    script: str
    after: tuple[str, ...]
    worker_type: str
    number_of_workers: int
    timeout_minutes: int
    max_retries: int
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    # `enabled: false` in pipeline.yaml: an optional job (load_redshift) the local runner skips;
    # Terraform decides on its own switch (enable_redshift) whether to deploy it.
    enabled: bool = True


@dataclass(frozen=True)
class TableDefinition:
    name: str
    zone: str
    prefix: str


@dataclass(frozen=True)
class PipelineDefinition:
    raw: dict[str, Any]

    @property
    def glue_database(self) -> str:
        return str(self.raw["glue_database"])

    @property
    def zones(self) -> dict[str, str]:
        return dict(self.raw["zones"])

    @property
    def tables(self) -> dict[str, TableDefinition]:
        return {
            name: TableDefinition(name=name, zone=spec["zone"], prefix=spec["prefix"])
            for name, spec in self.raw["tables"].items()
        }

    @property
    def jobs(self) -> dict[str, JobDefinition]:
        return {
            name: JobDefinition(
                name=name,
                script=spec["script"],
                after=tuple(spec.get("after", [])),
                worker_type=spec["worker_type"],
                number_of_workers=int(spec["number_of_workers"]),
                timeout_minutes=int(spec["timeout_minutes"]),
                max_retries=int(spec["max_retries"]),
                reads=tuple(spec.get("reads", [])),
                writes=tuple(spec.get("writes", [])),
                enabled=bool(spec.get("enabled", True)),
            )
            for name, spec in self.raw["jobs"].items()
        }

    def job_order(self) -> list[str]:
        """Enabled jobs in an order that respects `after` (a topological sort, stable by file
        order). Disabled jobs are left out, and so are their places in others' `after`."""
        jobs = {name: job for name, job in self.jobs.items() if job.enabled}
        disabled = set(self.jobs) - set(jobs)
        done: list[str] = []
        pending = list(jobs)
        while pending:
            ready = [
                j for j in pending if all(dep in done or dep in disabled for dep in jobs[j].after)
            ]
            if not ready:
                raise OrderlakeError(f"{DEFINITION_FILE}: job graph has a cycle among {pending}")
            done.extend(ready)
            pending = [j for j in pending if j not in ready]
        return done

    @property
    def generator(self) -> dict[str, Any]:
        return dict(self.raw["generator"])

    @property
    def crawlers(self) -> dict[str, dict[str, Any]]:
        return dict(self.raw.get("crawlers", {}))

    @property
    def workflow(self) -> dict[str, Any]:
        return dict(self.raw["workflow"])


def load_definition(path: Path | None = None) -> PipelineDefinition:
    file = path or project_root() / DEFINITION_FILE
    return _load(str(file))


@cache
def _load(file: str) -> PipelineDefinition:
    try:
        with open(file, encoding="utf-8") as handle:
            raw = yaml.safe_load(handle)
    except OSError as exc:
        raise OrderlakeError(f"cannot read pipeline definition {file}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise OrderlakeError(f"{file} is not valid YAML: {exc}") from exc
    return PipelineDefinition(raw=raw)

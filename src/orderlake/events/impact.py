"""What a failed job leaves stale for its date, from pipeline.yaml's job graph.

A job that fails for date D did not write its tables for D, and every job downstream of it
(`after`, transitively) does not run for D either; so their tables are stale for D, and so is
every saved query (sql/queries/*.sql) that reads one of them. Used by the on-call email in both
places (the local runner and the notifier Lambda, whose zip carries pipeline.yaml and sql/).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from orderlake.definition import PipelineDefinition, project_root

QUERIES_DIR = Path("sql") / "queries"


@dataclass(frozen=True)
class Impact:
    job: str
    downstream_jobs: tuple[str, ...]
    stale_tables: tuple[str, ...]
    stale_queries: tuple[str, ...]


def query_tables(sql: str, database: str) -> set[str]:
    """The tables a saved query reads: every `<database>.<table>` it names."""
    return {m.lower() for m in re.findall(rf"\b{re.escape(database)}\.(\w+)", sql, re.IGNORECASE)}


def saved_query_tables(
    definition: PipelineDefinition, root: Path | None = None
) -> dict[str, set[str]]:
    folder = (root or project_root()) / QUERIES_DIR
    return {
        path.stem: query_tables(path.read_text(encoding="utf-8"), definition.glue_database)
        for path in sorted(folder.glob("*.sql"))
    }


def downstream(definition: PipelineDefinition, job: str) -> list[str]:
    """Jobs that run after `job` (transitively), in pipeline.yaml order."""
    jobs = definition.jobs
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, spec in jobs.items():
            if name not in found and (job in spec.after or found.intersection(spec.after)):
                found.add(name)
                changed = True
    return [name for name in jobs if name in found and jobs[name].enabled]


def impact_of(
    definition: PipelineDefinition, job: str, queries: dict[str, set[str]] | None = None
) -> Impact | None:
    """What a failure of `job` leaves stale; None for a job that is not the pipeline's."""
    jobs = definition.jobs
    if job not in jobs:
        return None
    after = downstream(definition, job)
    tables = [t for name in (job, *after) for t in jobs[name].writes]
    queries = saved_query_tables(definition) if queries is None else queries
    stale = [name for name, reads in queries.items() if reads.intersection(tables)]
    return Impact(job, tuple(after), tuple(dict.fromkeys(tables)), tuple(stale))


def impact_lines(impact: Impact | None, date_text: str) -> list[str]:
    if impact is None:
        return ["Impact:    not one of pipeline.yaml's jobs; no table of the lake depends on it."]
    lines = [f"Impact for {date_text} (from pipeline.yaml's job graph):"]
    lines.append(
        f"  not run:         {', '.join(impact.downstream_jobs) or '(no job runs after it)'}"
    )
    lines.append(f"  stale tables:    {', '.join(impact.stale_tables) or '(none)'}")
    lines.append(f"  stale queries:   {', '.join(impact.stale_queries) or '(none)'}")
    return lines

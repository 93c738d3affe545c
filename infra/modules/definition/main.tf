# Reads pipeline.yaml and derives what the other modules need. No provider, no resources: it can
# be evaluated with `terraform console` alone (tests/unit/test_definition_terraform.py does).
locals {
  raw = yamldecode(file(var.pipeline_file))

  # A job marked `enabled: false` is skipped unless it is listed in var.optional_jobs; like the
  # local runner (PipelineDefinition.job_order), a skipped job is dropped from others' `after`.
  enabled = [
    for name, spec in local.raw.jobs : name
    if try(spec.enabled, true) || contains(var.optional_jobs, name)
  ]

  jobs = {
    for name, spec in local.raw.jobs : name => {
      script            = spec.script
      after             = [for dep in try(spec.after, []) : dep if contains(local.enabled, dep)]
      worker_type       = spec.worker_type
      number_of_workers = spec.number_of_workers
      timeout_minutes   = spec.timeout_minutes
      max_retries       = spec.max_retries
      # Every table a job reads or writes becomes a --<table>_path argument (jobs/registry.py).
      tables = distinct(concat(try(spec.reads, []), try(spec.writes, [])))
      reads  = try(spec.reads, [])
      writes = try(spec.writes, [])
      # pipeline.yaml `quality:` <job>: {table, <kind>: quality/<file>.dqdl} becomes
      # --<kind>_ruleset = the file's key in the artifacts bucket.
      rulesets = { for kind, path in try(local.raw.quality[name], {}) : "${kind}_ruleset" => path if kind != "table" }
    } if contains(local.enabled, name)
  }

  # The workflow's SCHEDULED trigger starts the jobs with no predecessor; each other job gets a
  # CONDITIONAL trigger that waits for all of its `after` jobs to succeed.
  start_jobs       = sort([for name, job in local.jobs : name if length(job.after) == 0])
  conditional_jobs = { for name, job in local.jobs : name => job.after if length(job.after) > 0 }

  crawlers = {
    for name, spec in try(local.raw.crawlers, {}) : name => {
      zone   = spec.zone
      tables = spec.tables
      after  = [for dep in try(spec.after, []) : dep if contains(local.enabled, dep)]
    }
  }
}

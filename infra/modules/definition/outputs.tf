output "project" {
  description = "Project name, the prefix of every resource name."
  value       = local.raw.project
}

output "glue_database" {
  description = "Glue Data Catalog database name."
  value       = local.raw.glue_database
}

output "zones" {
  description = "Zone name => folder name (the bucket name part in AWS)."
  value       = local.raw.zones
}

output "tables" {
  description = "Table name => {zone, prefix}."
  value       = local.raw.tables
}

output "jobs" {
  description = "Job name => {script, after, worker_type, number_of_workers, timeout_minutes, max_retries, tables, reads, writes, rulesets}."
  value       = local.jobs
}

output "start_jobs" {
  description = "Jobs the workflow's start trigger runs (no `after`)."
  value       = local.start_jobs
}

output "conditional_jobs" {
  description = "Job name => the jobs that must succeed before it runs."
  value       = local.conditional_jobs
}

output "crawlers" {
  description = "Crawler name => {zone, tables, after}."
  value       = local.crawlers
}

output "generator" {
  description = "Generator Lambda settings: lambda_name, schedule (AWS cron), rows, malformed_share, seed."
  value       = local.raw.generator
}

output "workflow" {
  description = "Glue workflow name and its schedule (AWS cron)."
  value       = local.raw.workflow
}

output "freshness" {
  description = "pipeline.yaml notifications.freshness: deadline (AWS cron, UTC) and job."
  value = {
    deadline = try(local.raw.notifications.freshness.deadline, "cron(0 6 * * ? *)")
    job      = try(local.raw.notifications.freshness.job, "clean_orders")
  }
}

output "high_value_sales" {
  description = "pipeline.yaml notifications.high_value_sales (threshold, statuses, largest, recipients)."
  value       = try(local.raw.notifications.high_value_sales, {})
}

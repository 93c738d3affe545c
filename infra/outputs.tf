output "buckets" {
  description = "Zone name => bucket name."
  value       = module.storage.bucket_names
}

output "tls_only_bucket_policies" {
  description = "Whether the buckets carry the TLS-only policy (off only on the emulator)."
  value       = var.enable_tls_only_bucket_policies
}

output "glue_jobs" {
  description = "pipeline.yaml job name => Glue job name."
  value       = module.glue.job_names
}

output "glue_workflows" {
  description = "daily (and upload) => Glue workflow name; scripts/smoke_test.sh starts the daily one."
  value       = module.glue.workflow_names
}

output "glue_crawlers" {
  description = "pipeline.yaml crawler name => Glue crawler name."
  value       = module.glue.crawler_names
}

output "lambda_functions" {
  description = "generator (and archive) => Lambda function name."
  value       = module.lambdas.function_names
}

output "athena_workgroup" {
  description = "Athena workgroup of the saved queries."
  value       = module.athena.workgroup
}

output "named_queries" {
  description = "Saved query name => Athena named query id."
  value       = module.athena.named_queries
}

output "alerts_topic_arn" {
  description = "SNS topic that receives the job-state events."
  value       = module.notifications.topic_arn
}

output "event_rules" {
  description = "Event pattern file stem => EventBridge rule name."
  value       = module.notifications.rule_names
}

output "redshift_endpoint" {
  description = "Redshift Serverless endpoint, when enable_redshift."
  value       = try(module.redshift[0].workgroup_endpoint, null)
}

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
  description = "The on-call SNS topic: the notifier's messages and the failures alarm."
  value       = module.notifications.topic_arn
}

output "notify_failures" {
  description = "Queue of undeliverable events and failed notifier invocations, and its alarm."
  value = {
    queue_arn = module.notifications.failure_queue_arn
    queue_url = module.notifications.failure_queue_url
    alarm     = module.notifications.failure_alarm_name
  }
}

output "sales_topic_arn" {
  description = "SNS topic of the high-value sale reports."
  value       = module.notifications.sales_topic_arn
}

output "freshness_rule" {
  description = "EventBridge rule that runs the freshness check at pipeline.yaml's deadline."
  value       = module.notifications.freshness_rule_name
}

output "event_rules" {
  description = "Event pattern file stem => EventBridge rule name."
  value       = module.notifications.rule_names
}

output "redshift_endpoint" {
  description = "Redshift Serverless endpoint, when enable_redshift."
  value       = try(module.redshift[0].workgroup_endpoint, null)
}

output "iam_roles" {
  description = "Component => the IAM role it runs with (scripts/check_iam.py assumes each in the emulator)."
  value = merge(
    { for k, arn in module.lambdas.role_arns : "lambda_${k}" => arn },
    { glue_job = module.glue.job_role_arn, glue_crawler = module.glue.crawler_role_arn },
  )
}

output "raw_orders_prefix" {
  description = "Prefix of the raw orders in the raw bucket."
  value       = module.definition.tables["raw_orders"].prefix
}

output "database_name" {
  description = "Glue Data Catalog database name."
  value       = aws_glue_catalog_database.this.name
}

output "job_names" {
  description = "pipeline.yaml job name => Glue job name."
  value       = { for job, j in aws_glue_job.this : job => j.name }
}

output "workflow_names" {
  description = "daily (and upload, when enabled) => Glue workflow name."
  value       = { for k, w in aws_glue_workflow.this : k => w.name }
}

output "crawler_names" {
  description = "pipeline.yaml crawler name => Glue crawler name."
  value       = { for c, cr in aws_glue_crawler.this : c => cr.name }
}

output "job_role_arn" {
  description = "IAM role of the Glue jobs."
  value       = aws_iam_role.job.arn
}

output "job_arns" {
  description = "ARNs of the Glue jobs."
  value       = [for j in aws_glue_job.this : j.arn]
}

output "crawler_role_arn" {
  description = "IAM role of the Glue crawlers."
  value       = aws_iam_role.crawler.arn
}

output "job_arns_by_name" {
  description = "pipeline.yaml job name => Glue job ARN."
  value       = { for job, j in aws_glue_job.this : job => j.arn }
}

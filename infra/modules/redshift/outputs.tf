output "workgroup_endpoint" {
  description = "Endpoint address of the Redshift Serverless workgroup."
  value       = aws_redshiftserverless_workgroup.this.endpoint
}

output "namespace_arn" {
  description = "ARN of the Redshift Serverless namespace."
  value       = aws_redshiftserverless_namespace.this.arn
}

output "workgroup_name" {
  description = "Name of the Redshift Serverless workgroup (--redshift_workgroup)."
  value       = aws_redshiftserverless_workgroup.this.workgroup_name
}

output "workgroup_arn" {
  description = "ARN of the Redshift Serverless workgroup."
  value       = aws_redshiftserverless_workgroup.this.arn
}

output "database" {
  description = "Database load_redshift writes to (--redshift_database)."
  value       = aws_redshiftserverless_namespace.this.db_name
}

output "copy_role_arn" {
  description = "Role COPY uses to read the analytics bucket (--redshift_iam_role_arn)."
  value       = aws_iam_role.copy.arn
}

output "workgroup" {
  description = "Athena workgroup name."
  value       = aws_athena_workgroup.this.name
}

output "named_queries" {
  description = "Query name => named query id."
  value       = { for q, nq in aws_athena_named_query.this : nq.name => nq.id }
}

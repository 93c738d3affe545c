output "function_names" {
  description = "generator (and archive) => Lambda function name."
  value       = { for k, f in aws_lambda_function.fn : k => f.function_name }
}

output "archive_function_arn" {
  description = "ARN of the archive Lambda, null until lambdas/archive_raw exists."
  value       = try(aws_lambda_function.fn["archive"].arn, null)
}

output "archive_function_name" {
  description = "Name of the archive Lambda, null until lambdas/archive_raw exists."
  value       = try(aws_lambda_function.fn["archive"].function_name, null)
}

output "role_arns" {
  description = "generator (and archive) => the IAM role the function runs with."
  value       = { for k, r in aws_iam_role.fn : k => r.arn }
}

output "notify_function_arn" {
  description = "ARN of the notifier Lambda, null until lambdas/notify exists."
  value       = try(aws_lambda_function.fn["notify"].arn, null)
}

output "notify_function_name" {
  description = "Name of the notifier Lambda, null until lambdas/notify exists."
  value       = try(aws_lambda_function.fn["notify"].function_name, null)
}

output "freshness_function_arn" {
  description = "ARN of the freshness-check Lambda, null until lambdas/check_freshness exists."
  value       = try(aws_lambda_function.fn["freshness"].arn, null)
}

output "freshness_function_name" {
  description = "Name of the freshness-check Lambda, null until lambdas/check_freshness exists."
  value       = try(aws_lambda_function.fn["freshness"].function_name, null)
}

output "sales_function_arn" {
  description = "ARN of the sale-alert Lambda, null until lambdas/sales_alert exists."
  value       = try(aws_lambda_function.fn["sales"].arn, null)
}

output "sales_function_name" {
  description = "Name of the sale-alert Lambda, null until lambdas/sales_alert exists."
  value       = try(aws_lambda_function.fn["sales"].function_name, null)
}

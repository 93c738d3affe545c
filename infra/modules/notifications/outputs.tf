output "topic_arn" {
  description = "ARN of the job-events SNS topic."
  value       = aws_sns_topic.events.arn
}

output "rule_names" {
  description = "Pattern file stem => EventBridge rule name."
  value       = { for k, r in aws_cloudwatch_event_rule.this : k => r.name }
}

output "topic_arn" {
  description = "ARN of the on-call SNS topic (job-events)."
  value       = aws_sns_topic.events.arn
}

output "rule_names" {
  description = "Pattern file stem => EventBridge rule name."
  value       = { for k, r in aws_cloudwatch_event_rule.this : k => r.name }
}

output "failure_queue_arn" {
  description = "ARN of the queue holding undeliverable events and failed notifier invocations."
  value       = aws_sqs_queue.notify_failures.arn
}

output "failure_queue_url" {
  description = "URL of the failures queue."
  value       = aws_sqs_queue.notify_failures.id
}

output "failure_alarm_name" {
  description = "CloudWatch alarm on the failures queue, notifying the topic."
  value       = aws_cloudwatch_metric_alarm.notify_failures.alarm_name
}

output "freshness_rule_name" {
  description = "The freshness deadline rule, null when not deployed."
  value       = try(aws_cloudwatch_event_rule.freshness[0].name, null)
}

output "sales_topic_arn" {
  description = "ARN of the sales-alerts SNS topic."
  value       = aws_sns_topic.sales.arn
}

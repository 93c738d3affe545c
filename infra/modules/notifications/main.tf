# Job-state and data quality events: one EventBridge rule per events/patterns/*.json file (the
# files the local runner matches too; dq_failures takes Glue Data Quality's failed evaluations
# in the pipeline's jobs). Every rule invokes the notifier Lambda with the event itself; it writes
# the same email as the local runner (orderlake.events.notify) and publishes it, as plain text,
# to the encrypted on-call topic, whose email subscription delivers it unfiltered (the notifier
# decides what on-call is told). The archive rule also invokes the archive Lambda directly.
#
# Nothing is dropped silently: EventBridge retries a failed delivery for a day and then sends
# the event to the failures queue; Lambda retries a failed invocation twice and then sends it
# there too (on-failure destination); a message in the queue raises an alarm on the topic.
locals {
  pattern_files = fileset(var.patterns_dir, "*.json")
  rules         = { for f in local.pattern_files : trimsuffix(f, ".json") => jsondecode(file("${var.patterns_dir}/${f}")) }
  archive_rules = var.enable_archive_target ? { for k, v in local.rules : k => v if k == var.archive_rule } : {}
}

resource "aws_sns_topic" "events" {
  name              = "${var.name}-job-events"
  display_name      = "orderlake alerts"
  kms_master_key_id = var.kms_key_arn
}

data "aws_iam_policy_document" "topic" {
  statement {
    sid       = "AlarmsPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.events.arn]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_metric_alarm.notify_failures.arn]
    }
  }
}

resource "aws_sns_topic_policy" "events" {
  arn    = aws_sns_topic.events.arn
  policy = data.aws_iam_policy_document.topic.json
}

# No filter policy: every message on this topic is one on-call must read (the notifier mails
# successes only when pipeline.yaml's email_success says so), and the alarm's message carries
# no attributes a filter could key on.
resource "aws_sns_topic_subscription" "email" {
  topic_arn = aws_sns_topic.events.arn
  protocol  = "email"
  endpoint  = var.alert_email
}

resource "aws_cloudwatch_event_rule" "this" {
  for_each      = local.rules
  name          = "${var.name}-${each.key}"
  description   = "events/patterns/${each.key}.json"
  event_pattern = jsonencode(each.value)
}

resource "aws_cloudwatch_event_target" "notify" {
  for_each  = local.rules
  rule      = aws_cloudwatch_event_rule.this[each.key].name
  target_id = "notify"
  arn       = var.notify_lambda_arn

  retry_policy {
    maximum_event_age_in_seconds = 86400
    maximum_retry_attempts       = 185
  }

  dead_letter_config {
    arn = aws_sqs_queue.notify_failures.arn
  }
}

resource "aws_lambda_permission" "notify" {
  for_each      = local.rules
  statement_id  = "AllowRule-${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = var.notify_lambda_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.this[each.key].arn
}

resource "aws_cloudwatch_event_target" "archive" {
  for_each  = local.archive_rules
  rule      = aws_cloudwatch_event_rule.this[each.key].name
  target_id = "archive"
  arn       = var.archive_lambda_arn

  retry_policy {
    maximum_event_age_in_seconds = 86400
    maximum_retry_attempts       = 185
  }

  dead_letter_config {
    arn = aws_sqs_queue.notify_failures.arn
  }
}

resource "aws_lambda_permission" "archive" {
  for_each      = local.archive_rules
  statement_id  = "AllowRule-${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = var.archive_lambda_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.this[each.key].arn
}

# Events and invocations that could not be delivered: kept 14 days, encrypted with the project
# key (EventBridge may use it for this account: modules/kms).
resource "aws_sqs_queue" "notify_failures" {
  name                      = "${var.name}-notify-failures"
  message_retention_seconds = 1209600
  kms_master_key_id         = var.kms_key_arn
}

data "aws_iam_policy_document" "notify_failures" {
  statement {
    sid       = "RulesDeadLetter"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.notify_failures.arn]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = concat([for r in aws_cloudwatch_event_rule.this : r.arn], aws_cloudwatch_event_rule.freshness[*].arn)
    }
  }
}

resource "aws_sqs_queue_policy" "notify_failures" {
  queue_url = aws_sqs_queue.notify_failures.id
  policy    = data.aws_iam_policy_document.notify_failures.json
}

resource "aws_lambda_function_event_invoke_config" "notify" {
  function_name                = var.notify_lambda_name
  maximum_retry_attempts       = 2
  maximum_event_age_in_seconds = 21600

  destination_config {
    on_failure {
      destination = aws_sqs_queue.notify_failures.arn
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "notify_failures" {
  alarm_name          = "${var.name}-notify-failures"
  alarm_description   = "A job, crawler or data quality event could not be told to on-call: read the messages of the ${var.name}-notify-failures queue (each holds the event) and the notifier's log group."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.notify_failures.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.events.arn]
}

# "The day never arrived": at pipeline.yaml's freshness deadline the check Lambda looks at
# yesterday (raw partition, clean_orders runs) and tells on-call through the same topic.
resource "aws_cloudwatch_event_rule" "freshness" {
  count               = var.enable_freshness_check ? 1 : 0
  name                = "${var.name}-freshness-deadline"
  description         = "pipeline.yaml notifications.freshness.deadline: has yesterday arrived?"
  schedule_expression = var.freshness_deadline
  state               = var.enable_schedules ? "ENABLED" : "DISABLED"
}

resource "aws_cloudwatch_event_target" "freshness" {
  count     = var.enable_freshness_check ? 1 : 0
  rule      = aws_cloudwatch_event_rule.freshness[0].name
  target_id = "check_freshness"
  arn       = var.freshness_lambda_arn

  retry_policy {
    maximum_event_age_in_seconds = 86400
    maximum_retry_attempts       = 185
  }

  dead_letter_config {
    arn = aws_sqs_queue.notify_failures.arn
  }
}

resource "aws_lambda_permission" "freshness" {
  count         = var.enable_freshness_check ? 1 : 0
  statement_id  = "AllowFreshnessDeadline"
  action        = "lambda:InvokeFunction"
  function_name = var.freshness_lambda_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.freshness[0].arn
}

resource "aws_lambda_function_event_invoke_config" "freshness" {
  count                        = var.enable_freshness_check ? 1 : 0
  function_name                = var.freshness_lambda_name
  maximum_retry_attempts       = 2
  maximum_event_age_in_seconds = 21600

  destination_config {
    on_failure {
      destination = aws_sqs_queue.notify_failures.arn
    }
  }
}

# High-value sale alerts: the clean_orders_succeeded rule also invokes the sale-alert Lambda,
# which publishes the day's report (the local listener's code) to its own encrypted topic.
resource "aws_sns_topic" "sales" {
  name              = "${var.name}-sales-alerts"
  display_name      = "orderlake sales"
  kms_master_key_id = var.kms_key_arn
}

resource "aws_sns_topic_subscription" "sales_email" {
  for_each  = toset(var.sales_alert_emails)
  topic_arn = aws_sns_topic.sales.arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_cloudwatch_event_target" "sales" {
  for_each  = var.enable_sales_target ? { for k, v in local.rules : k => v if k == var.archive_rule } : {}
  rule      = aws_cloudwatch_event_rule.this[each.key].name
  target_id = "sales_alert"
  arn       = var.sales_lambda_arn

  retry_policy {
    maximum_event_age_in_seconds = 86400
    maximum_retry_attempts       = 185
  }

  dead_letter_config {
    arn = aws_sqs_queue.notify_failures.arn
  }
}

resource "aws_lambda_permission" "sales" {
  for_each      = var.enable_sales_target ? { for k, v in local.rules : k => v if k == var.archive_rule } : {}
  statement_id  = "AllowRule-${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = var.sales_lambda_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.this[each.key].arn
}

resource "aws_lambda_function_event_invoke_config" "sales" {
  count                        = var.enable_sales_target ? 1 : 0
  function_name                = var.sales_lambda_name
  maximum_retry_attempts       = 2
  maximum_event_age_in_seconds = 21600

  destination_config {
    on_failure {
      destination = aws_sqs_queue.notify_failures.arn
    }
  }
}

# Job-state events: one EventBridge rule per events/patterns/*.json file (the files the local
# runner matches too), all targeting one encrypted SNS topic. An input transformer turns the
# event into a JSON message that reads well in an email and still carries the event's
# `detail-type`, `source`, `time` and `detail` for the archive Lambda.
locals {
  pattern_files = fileset(var.patterns_dir, "*.json")
  rules         = { for f in local.pattern_files : trimsuffix(f, ".json") => jsondecode(file("${var.patterns_dir}/${f}")) }
  crawler_rule  = { for k, p in local.rules : k => contains(try(p["detail-type"], []), "Glue Crawler State Change") }

  job_template = { for k in keys(local.rules) : k => <<-EOT
    {
      "summary": "orderlake ${k}: Glue job <name> run <run_id> is <state> (<time>)",
      "job": <name>,
      "run_id": <run_id>,
      "state": <state>,
      "error": <message>,
      "next_step": "See the run in the Glue console (region <region>) and its CloudWatch logs under /aws-glue/jobs; the run date is the run's --run_date argument (yesterday = the day before the run started). Fix, then re-run that date: aws glue start-job-run --job-name <name> --arguments '{\"--run_date\":\"YYYY-MM-DD\"}'.",
      "detail-type": <detail_type>,
      "source": <source>,
      "time": <time>,
      "detail": <detail>
    }
    EOT
  }

  crawler_template = { for k in keys(local.rules) : k => <<-EOT
    {
      "summary": "orderlake ${k}: Glue crawler <name> is <state> (<time>)",
      "crawler": <name>,
      "state": <state>,
      "next_step": "See the crawler's last run in the Glue console (region <region>) and its CloudWatch logs under /aws-glue/crawlers, then start it again: aws glue start-crawler --name <name>.",
      "detail-type": <detail_type>,
      "source": <source>,
      "time": <time>,
      "detail": <detail>
    }
    EOT
  }
}

resource "aws_sns_topic" "events" {
  name              = "${var.name}-job-events"
  display_name      = "orderlake alerts"
  kms_master_key_id = var.kms_key_arn
}

data "aws_iam_policy_document" "topic" {
  statement {
    sid       = "EventBridgeRulesPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.events.arn]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [for r in aws_cloudwatch_event_rule.this : r.arn]
    }
  }
}

resource "aws_sns_topic_policy" "events" {
  arn    = aws_sns_topic.events.arn
  policy = data.aws_iam_policy_document.topic.json
}

resource "aws_cloudwatch_event_rule" "this" {
  for_each      = local.rules
  name          = "${var.name}-${each.key}"
  description   = "events/patterns/${each.key}.json"
  event_pattern = jsonencode(each.value)
}

resource "aws_cloudwatch_event_target" "this" {
  for_each = local.rules
  rule     = aws_cloudwatch_event_rule.this[each.key].name
  arn      = aws_sns_topic.events.arn

  # Only paths the rule's events carry: a crawler event has no job run, a job event no crawler.
  input_transformer {
    input_paths = merge(
      {
        detail_type = "$.detail-type"
        source      = "$.source"
        time        = "$.time"
        region      = "$.region"
        detail      = "$.detail"
        state       = "$.detail.state"
      },
      local.crawler_rule[each.key] ? { name = "$.detail.crawlerName" } : {
        name                                = "$.detail.jobName"
        run_id                              = "$.detail.jobRunId"
        message                             = "$.detail.message"
      },
    )
    input_template = local.crawler_rule[each.key] ? local.crawler_template[each.key] : local.job_template[each.key]
  }
}

resource "aws_sns_topic_subscription" "email" {
  count               = var.alert_email == null ? 0 : 1
  topic_arn           = aws_sns_topic.events.arn
  protocol            = "email"
  endpoint            = var.alert_email
  filter_policy_scope = "MessageBody"
  filter_policy       = jsonencode({ state = [{ "anything-but" = ["SUCCEEDED", "Succeeded", "RUNNING", "Started"] }] })
}

resource "aws_sns_topic_subscription" "archive" {
  count               = var.enable_archive_subscription ? 1 : 0
  topic_arn           = aws_sns_topic.events.arn
  protocol            = "lambda"
  endpoint            = var.archive_lambda_arn
  filter_policy_scope = "MessageBody"
  filter_policy       = jsonencode({ state = ["SUCCEEDED"] })
}

resource "aws_lambda_permission" "archive" {
  count         = var.enable_archive_subscription ? 1 : 0
  statement_id  = "AllowJobEventsTopic"
  action        = "lambda:InvokeFunction"
  function_name = var.archive_lambda_name
  principal     = "sns.amazonaws.com"
  source_arn    = aws_sns_topic.events.arn
}

# One role per Lambda: its own log group, and only the bucket prefixes it touches.
data "aws_iam_policy_document" "assume_lambda" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "fn" {
  for_each           = local.functions
  name               = "${each.value.name}-lambda"
  assume_role_policy = data.aws_iam_policy_document.assume_lambda.json
}

data "aws_iam_policy_document" "fn" {
  for_each = local.functions

  statement {
    sid       = "OwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.fn[each.key].arn}:*"]
  }

  statement {
    sid       = "Tracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }

  statement {
    sid       = "UseProjectKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }

  dynamic "statement" {
    for_each = each.key == "generator" ? [1] : []
    content {
      sid       = "WriteRawOrders"
      actions   = ["s3:PutObject"]
      resources = ["${var.bucket_arns[local.raw.zone]}/${local.raw.prefix}/*"]
    }
  }

  dynamic "statement" {
    for_each = each.key == "archive" ? [1] : []
    content {
      sid       = "MoveRawPartitions"
      actions   = ["s3:GetObject", "s3:DeleteObject"]
      resources = ["${var.bucket_arns[local.raw.zone]}/${local.raw.prefix}/*"]
    }
  }

  dynamic "statement" {
    for_each = each.key == "archive" ? [1] : []
    content {
      sid       = "ListRaw"
      actions   = ["s3:ListBucket"]
      resources = [var.bucket_arns[local.raw.zone]]
    }
  }

  # Archiving lists what the archive already holds for the date (ListObjectsV2), copies each
  # raw object (CopyObject: GetObject on the source, PutObject on the target) and reads every
  # copy back to verify its SHA-256 (GetObject) before deleting the originals.
  dynamic "statement" {
    for_each = each.key == "archive" ? [1] : []
    content {
      sid       = "ListArchive"
      actions   = ["s3:ListBucket"]
      resources = [var.bucket_arns["archive"]]
    }
  }

  dynamic "statement" {
    for_each = each.key == "archive" ? [1] : []
    content {
      sid       = "WriteAndVerifyArchive"
      actions   = ["s3:PutObject", "s3:GetObject"]
      resources = ["${var.bucket_arns["archive"]}/${local.raw.prefix}/*"]
    }
  }

  dynamic "statement" {
    for_each = each.key == "archive" && length(var.glue_job_arns) > 0 ? [1] : []
    content {
      sid       = "LookUpJobRunDate"
      actions   = ["glue:GetJobRun", "glue:GetJob"]
      resources = var.glue_job_arns
    }
  }

  # The notifier: the run's date from Glue, the failed rules of a data quality evaluation, the
  # message to the on-call topic, and (Lambda's on-failure destination, sent with the
  # function's role) the failed invocation to its queue.
  dynamic "statement" {
    for_each = each.key == "notify" && length(var.glue_job_arns) > 0 ? [1] : []
    content {
      sid       = "LookUpJobRunDate"
      actions   = ["glue:GetJobRun"]
      resources = var.glue_job_arns
    }
  }

  # The failed rules of a blocking ruleset's evaluation. GetDataQualityResult is authorized on
  # the ruleset the result belongs to (resource type dataQualityRuleset in the Service
  # Authorization Reference); an ETL job's evaluation belongs to the evaluation context the job
  # passes (the DQDL file's stem). Warning rulesets' results are never read (not mailed).
  dynamic "statement" {
    for_each = each.key == "notify" && length(var.quality_result_arns) > 0 ? [1] : []
    content {
      sid       = "ReadBlockingQualityResults"
      actions   = ["glue:GetDataQualityResult"]
      resources = var.quality_result_arns
    }
  }

  # The freshness check: whether yesterday's raw partition exists (a listing of the raw orders
  # prefix), the freshness job's runs, its per-day "told" markers, the on-call topic.
  dynamic "statement" {
    for_each = each.key == "freshness" ? [1] : []
    content {
      sid       = "ListRawOrders"
      actions   = ["s3:ListBucket"]
      resources = [var.bucket_arns[local.raw.zone]]
      condition {
        test     = "StringLike"
        variable = "s3:prefix"
        values   = ["${local.raw.prefix}/*"]
      }
    }
  }

  dynamic "statement" {
    for_each = each.key == "freshness" ? [1] : []
    content {
      sid       = "ListAlertMarkers"
      actions   = ["s3:ListBucket"]
      resources = [var.bucket_arns["artifacts"]]
      condition {
        test     = "StringLike"
        variable = "s3:prefix"
        values   = ["freshness/*"]
      }
    }
  }

  dynamic "statement" {
    for_each = each.key == "freshness" ? [1] : []
    content {
      sid       = "KeepAlertMarkers"
      actions   = ["s3:GetObject", "s3:PutObject"]
      resources = ["${var.bucket_arns["artifacts"]}/freshness/*"]
    }
  }

  dynamic "statement" {
    for_each = each.key == "freshness" && var.freshness_job_arn != null ? [1] : []
    content {
      sid       = "ReadJobRuns"
      actions   = ["glue:GetJobRuns"]
      resources = [var.freshness_job_arn]
    }
  }

  # The sale alert: the run's date, the day's curated orders, the sales-alerts topic.
  dynamic "statement" {
    for_each = each.key == "sales" && var.freshness_job_arn != null ? [1] : []
    content {
      sid       = "LookUpRunDate"
      actions   = ["glue:GetJobRun"]
      resources = [var.freshness_job_arn]
    }
  }

  dynamic "statement" {
    for_each = each.key == "sales" ? [1] : []
    content {
      sid       = "ListCuratedOrders"
      actions   = ["s3:ListBucket"]
      resources = [var.bucket_arns[local.orders.zone]]
      condition {
        test     = "StringLike"
        variable = "s3:prefix"
        values   = ["${local.orders.prefix}/*"]
      }
    }
  }

  dynamic "statement" {
    for_each = each.key == "sales" ? [1] : []
    content {
      sid       = "ReadCuratedOrders"
      actions   = ["s3:GetObject"]
      resources = ["${var.bucket_arns[local.orders.zone]}/${local.orders.prefix}/*"]
    }
  }

  dynamic "statement" {
    for_each = each.key == "sales" ? [1] : []
    content {
      sid       = "PublishSalesAlerts"
      actions   = ["sns:Publish"]
      resources = [var.sales_topic_arn]
    }
  }

  dynamic "statement" {
    for_each = contains(["notify", "freshness"], each.key) ? [1] : []
    content {
      sid       = "PublishOnCall"
      actions   = ["sns:Publish"]
      resources = [var.on_call_topic_arn]
    }
  }

  dynamic "statement" {
    for_each = contains(["notify", "freshness", "sales"], each.key) ? [1] : []
    content {
      sid       = "OnFailureDestination"
      actions   = ["sqs:SendMessage"]
      resources = [var.notify_failure_queue_arn]
    }
  }
}

resource "aws_iam_role_policy" "fn" {
  for_each = local.functions
  name     = "least-privilege"
  role     = aws_iam_role.fn[each.key].id
  policy   = data.aws_iam_policy_document.fn[each.key].json
}

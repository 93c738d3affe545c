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
}

resource "aws_iam_role_policy" "fn" {
  for_each = local.functions
  name     = "least-privilege"
  role     = aws_iam_role.fn[each.key].id
  policy   = data.aws_iam_policy_document.fn[each.key].json
}

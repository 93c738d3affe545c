# One customer-managed key encrypts the buckets, the SNS topic, the log groups, Glue's output
# and Athena's results. The services that write encrypted data on their own (logs, SNS via
# EventBridge, Glue) are allowed to use it for this account only.
data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_111:A key policy's "*" resource means this key only; write access is limited to the account root and to AWS services bound by source-account conditions.
  #checkov:skip=CKV_AWS_356:In a KMS key policy the resource "*" is the key itself, the only resource the policy can grant.
  #checkov:skip=CKV_AWS_109:The account-root statement is AWS's default key policy; it delegates key administration to IAM policies in this account, without it the key becomes unmanageable.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${var.account_id}:root"]
    }
  }

  statement {
    sid = "CloudWatchLogsEncrypt"
    # No kms:Describe*: a Describe request carries no encryption context, so under this
    # condition it could never be allowed (the policy lint reports it).
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:aws:logs:${var.region}:${var.account_id}:*"]
    }
  }

  statement {
    sid       = "EventBridgePublishesToEncryptedTopic"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }

  # A CloudWatch alarm (the notifier's failures alarm) publishing to the encrypted topic.
  statement {
    sid       = "CloudWatchAlarmsPublishToEncryptedTopic"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "${var.name}: data, logs, alerts"
  enable_key_rotation     = true
  deletion_window_in_days = 7
  policy                  = data.aws_iam_policy_document.key.json
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.this.key_id
}

# One private, versioned, KMS-encrypted, TLS-only bucket per zone of pipeline.yaml.
resource "aws_s3_bucket" "zone" {
  #checkov:skip=CKV_AWS_144:Cross-region replication is a disaster-recovery choice per deployment; the lake can be regenerated from raw + archive.
  #checkov:skip=CKV_AWS_18:Access logging needs a separate log bucket per account; CloudTrail data events are the recommended audit trail (README).
  #checkov:skip=CKV2_AWS_62:Only the raw bucket needs event notifications (EventBridge, below); the others have no consumer.
  for_each      = var.zones
  bucket        = "${var.name}-${each.value}-${var.account_id}-${var.region}"
  force_destroy = each.key == "athena_results" || each.key == "artifacts"
}

resource "aws_s3_bucket_versioning" "zone" {
  for_each = aws_s3_bucket.zone
  bucket   = each.value.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "zone" {
  for_each = aws_s3_bucket.zone
  bucket   = each.value.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "zone" {
  for_each                = aws_s3_bucket.zone
  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "zone" {
  for_each = aws_s3_bucket.zone
  bucket   = each.value.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

data "aws_iam_policy_document" "tls_only" {
  for_each = var.tls_only_policies ? aws_s3_bucket.zone : {}
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [each.value.arn, "${each.value.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "zone" {
  for_each = var.tls_only_policies ? aws_s3_bucket.zone : {}
  bucket   = each.value.id
  policy   = data.aws_iam_policy_document.tls_only[each.key].json
  # A bucket policy is rejected while the public access block is being applied.
  depends_on = [aws_s3_bucket_public_access_block.zone]
}

resource "aws_s3_bucket_lifecycle_configuration" "zone" {
  for_each = aws_s3_bucket.zone
  bucket   = each.value.id

  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiry_days
    }
  }

  dynamic "rule" {
    for_each = each.key == "archive" ? [1] : []
    content {
      id     = "archive-to-glacier"
      status = "Enabled"
      filter {}
      transition {
        days          = var.archive_transition_days
        storage_class = "GLACIER"
      }
    }
  }

  dynamic "rule" {
    for_each = each.key == "athena_results" ? [1] : []
    content {
      id     = "expire-athena-results"
      status = "Enabled"
      filter {}
      expiration {
        days = var.athena_results_expiry_days
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.zone]
}

# Uploads into raw are published to EventBridge, where a rule can start the Glue workflow.
resource "aws_s3_bucket_notification" "raw" {
  count       = var.raw_eventbridge && contains(keys(var.zones), "raw") ? 1 : 0
  bucket      = aws_s3_bucket.zone["raw"].id
  eventbridge = true
}

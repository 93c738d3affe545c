# One role for the jobs, one for the crawlers, one for EventBridge to start the upload
# workflow; each with only the actions and resources it uses.
data "aws_iam_policy_document" "assume_glue" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["glue.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "job" {
  statement {
    sid       = "ReadScriptsLibraryAndRulesets"
    actions   = ["s3:GetObject"]
    resources = ["${var.bucket_arns["artifacts"]}/glue/*", "${var.bucket_arns["artifacts"]}/quality/*"]
  }
  statement {
    sid       = "TempDir"
    actions   = ["s3:PutObject", "s3:DeleteObject"]
    resources = ["${var.bucket_arns["artifacts"]}/glue/tmp/*"]
  }
  statement {
    sid       = "ListLakeBuckets"
    actions   = ["s3:ListBucket"]
    resources = concat(local.data_zone_arns, [var.bucket_arns["artifacts"]])
  }
  statement {
    sid       = "ReadInputTables"
    actions   = ["s3:GetObject"]
    resources = [for t in local.read_tables : local.table_objects[t]]
  }
  statement {
    # Staging, commit and the replaced partition's files all live under the table's prefix.
    sid       = "ReplaceOutputPartitions"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = [for t in local.written_tables : local.table_objects[t]]
  }
  statement {
    sid       = "UseProjectKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [var.kms_key_arn]
  }
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"]
    resources = ["arn:aws:logs:${var.region}:${var.account_id}:log-group:/aws-glue/*"]
  }
  dynamic "statement" {
    for_each = var.redshift_workgroup_arn == null ? [] : [var.redshift_workgroup_arn]
    content {
      sid       = "LoadRedshiftWithDataApi"
      actions   = ["redshift-data:BatchExecuteStatement", "redshift-data:ExecuteStatement", "redshift-serverless:GetCredentials"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    # Statement ids are not resources; the Data API scopes them to the caller.
    for_each = var.redshift_workgroup_arn == null ? [] : [1]
    content {
      sid       = "FollowOwnStatements"
      actions   = ["redshift-data:DescribeStatement", "redshift-data:CancelStatement", "redshift-data:GetStatementResult"]
      resources = ["*"]
    }
  }

  # EvaluateDataQuality (clean_orders' rulesets on Glue) loads its engine from AWS's assets
  # bucket in the region and publishes each evaluation's results (AWS: "Troubleshooting AWS
  # Glue Data Quality errors"; "Configure IAM permissions for AWS Glue Data Quality").
  statement {
    sid       = "DataQualityAssets"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::aws-glue-ml-data-quality-assets-${var.region}/*"]
  }
  statement {
    sid       = "PublishDataQualityResults"
    actions   = ["glue:PublishDataQuality"]
    resources = ["arn:aws:glue:${var.region}:${var.account_id}:dataQualityRuleset/*"]
  }

  statement {
    sid       = "Metrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      # "Glue Data Quality": the rulesets' metrics, without which Glue sends no
      # "Data Quality Evaluation Results Available" event.
      values = ["Glue", "Glue Data Quality"]
    }
  }
}

resource "aws_iam_role" "job" {
  name               = "${var.name}-glue-job"
  assume_role_policy = data.aws_iam_policy_document.assume_glue.json
}

resource "aws_iam_role_policy" "job" {
  name   = "lake-access"
  role   = aws_iam_role.job.id
  policy = data.aws_iam_policy_document.job.json
}

data "aws_iam_policy_document" "crawler" {
  statement {
    sid       = "ListCrawledBuckets"
    actions   = ["s3:ListBucket"]
    resources = distinct([for c in var.crawlers : var.bucket_arns[c.zone]])
  }
  statement {
    sid       = "ReadCrawledPrefixes"
    actions   = ["s3:GetObject"]
    resources = flatten([for c in var.crawlers : [for t in c.tables : "${var.bucket_arns[c.zone]}/${var.tables[t].prefix}/*"]])
  }
  statement {
    sid = "Catalog"
    actions = [
      "glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:CreateTable", "glue:UpdateTable",
      "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition", "glue:CreatePartition",
      "glue:BatchCreatePartition", "glue:UpdatePartition", "glue:BatchUpdatePartition",
    ]
    resources = [
      "arn:aws:glue:${var.region}:${var.account_id}:catalog",
      aws_glue_catalog_database.this.arn,
      "arn:aws:glue:${var.region}:${var.account_id}:table/${var.database}/*",
    ]
  }
  statement {
    sid       = "UseProjectKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [var.kms_key_arn]
  }
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"]
    resources = ["arn:aws:logs:${var.region}:${var.account_id}:log-group:/aws-glue/*"]
  }
}

resource "aws_iam_role" "crawler" {
  name               = "${var.name}-glue-crawler"
  assume_role_policy = data.aws_iam_policy_document.assume_glue.json
}

resource "aws_iam_role_policy" "crawler" {
  name   = "catalog-and-read"
  role   = aws_iam_role.crawler.id
  policy = data.aws_iam_policy_document.crawler.json
}

data "aws_iam_policy_document" "assume_events" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "events_to_glue" {
  count              = var.enable_upload_trigger ? 1 : 0
  name               = "${var.name}-events-start-workflow"
  assume_role_policy = data.aws_iam_policy_document.assume_events.json
}

resource "aws_iam_role_policy" "events_to_glue" {
  count = var.enable_upload_trigger ? 1 : 0
  name  = "notify-upload-workflow"
  role  = aws_iam_role.events_to_glue[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["glue:notifyEvent"]
      Resource = [aws_glue_workflow.this["upload"].arn]
    }]
  })
}

# The generator, archive and notifier Lambdas: code zips and the Faker layer built by
# scripts/build_artifacts.py, numpy/pyarrow from the AWS-managed AWSSDKPandas layer.
locals {
  raw        = var.tables[var.raw_table]
  orders     = var.tables["orders"]
  raw_bucket = var.buckets[local.raw.zone]
  functions = merge(
    {
      generator = {
        name    = "${var.name}-${var.generator.lambda_name}"
        zip     = var.manifest.lambdas[var.generator.lambda_name]
        timeout = 300
        memory  = 1024
        env = {
          RAW_BUCKET                = local.raw_bucket
          RAW_ORDERS_PREFIX         = local.raw.prefix
          ORDERLAKE_ROWS            = tostring(var.generator.rows)
          ORDERLAKE_SEED            = tostring(var.generator.seed)
          ORDERLAKE_MALFORMED_SHARE = tostring(var.generator.malformed_share)
        }
      }
    },
    contains(keys(var.manifest.lambdas), "archive_raw") ? {
      archive = {
        name    = "${var.name}-archive_raw"
        zip     = var.manifest.lambdas["archive_raw"]
        timeout = 300
        memory  = 512
        env = {
          RAW_BUCKET        = local.raw_bucket
          RAW_ORDERS_PREFIX = local.raw.prefix
          ARCHIVE_BUCKET    = var.buckets["archive"]
        }
      }
    } : {},
    contains(keys(var.manifest.lambdas), "check_freshness") ? {
      freshness = {
        name    = "${var.name}-check_freshness"
        zip     = var.manifest.lambdas["check_freshness"]
        timeout = 60
        memory  = 256
        env = {
          RAW_BUCKET        = local.raw_bucket
          RAW_ORDERS_PREFIX = local.raw.prefix
          ALERT_LOG_BUCKET  = var.buckets["artifacts"]
          ON_CALL_TOPIC_ARN = var.on_call_topic_arn
        }
      }
    } : {},
    contains(keys(var.manifest.lambdas), "sales_alert") ? {
      sales = {
        name    = "${var.name}-sales_alert"
        zip     = var.manifest.lambdas["sales_alert"]
        timeout = 120
        memory  = 1024
        env = {
          CURATED_BUCKET  = var.buckets[local.orders.zone]
          ORDERS_PREFIX   = local.orders.prefix
          SALES_TOPIC_ARN = var.sales_topic_arn
        }
      }
    } : {},
    contains(keys(var.manifest.lambdas), "notify") ? {
      notify = {
        name    = "${var.name}-notify"
        zip     = var.manifest.lambdas["notify"]
        timeout = 60
        memory  = 256
        env = {
          ON_CALL_TOPIC_ARN = var.on_call_topic_arn
        }
      }
    } : {},
  )
}

resource "aws_lambda_layer_version" "deps" {
  layer_name          = "${var.name}-deps"
  description         = "Faker and PyYAML for the orderlake Lambdas"
  filename            = "${var.artifacts_dir}/${var.manifest.layer}"
  source_code_hash    = filebase64sha256("${var.artifacts_dir}/${var.manifest.layer}")
  compatible_runtimes = ["python3.11"]
}

resource "aws_cloudwatch_log_group" "fn" {
  for_each          = local.functions
  name              = "/aws/lambda/${each.value.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_lambda_function" "fn" {
  #checkov:skip=CKV_AWS_117:The Lambdas only call S3 and Glue APIs; a VPC would add NAT/endpoints cost without reducing exposure.
  #checkov:skip=CKV_AWS_116:Invocations are retried by EventBridge/SNS; a failed run is visible in logs and re-run by date (idempotent).
  #checkov:skip=CKV_AWS_115:Reserved concurrency is a variable (reserved_concurrency), unreserved by default: new accounts have a concurrency limit of 10 and refuse reservations below that floor.
  #checkov:skip=CKV_AWS_272:Code signing needs an AWS Signer profile; the zips are built from the reviewed repository by CI.
  for_each                       = local.functions
  function_name                  = each.value.name
  role                           = aws_iam_role.fn[each.key].arn
  runtime                        = "python3.11"
  handler                        = "handler.handler"
  filename                       = "${var.artifacts_dir}/${each.value.zip}"
  source_code_hash               = filebase64sha256("${var.artifacts_dir}/${each.value.zip}")
  timeout                        = each.value.timeout
  memory_size                    = each.value.memory
  layers                         = compact([aws_lambda_layer_version.deps.arn, var.pandas_layer_arn])
  kms_key_arn                    = var.kms_key_arn
  reserved_concurrent_executions = var.reserved_concurrency

  environment {
    variables = each.value.env
  }

  tracing_config {
    mode = "Active"
  }

  depends_on = [aws_cloudwatch_log_group.fn]
}

# The generator runs daily on pipeline.yaml's generator schedule and writes yesterday's orders.
resource "aws_cloudwatch_event_rule" "generator" {
  name                = "${var.name}-generator-schedule"
  description         = "Daily orderlake order generation"
  schedule_expression = var.generator.schedule
  state               = var.enable_schedules ? "ENABLED" : "DISABLED"
}

resource "aws_cloudwatch_event_target" "generator" {
  rule = aws_cloudwatch_event_rule.generator.name
  arn  = aws_lambda_function.fn["generator"].arn
}

resource "aws_lambda_permission" "generator_schedule" {
  statement_id  = "AllowDailySchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.fn["generator"].function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.generator.arn
}

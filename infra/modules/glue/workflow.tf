# The job graph of pipeline.yaml as Glue triggers. The daily workflow starts on a SCHEDULED
# trigger; the optional upload workflow starts when a file lands in the raw orders prefix
# (S3 -> EventBridge -> EVENT trigger). Both then follow the same CONDITIONAL triggers: a job
# runs when all of its `after` jobs succeeded, a crawler when all of its `after` jobs did.
locals {
  scheduled_start = var.enable_schedules && !var.enable_upload_trigger
  workflows = merge(
    { daily = var.workflow.name },
    var.enable_upload_trigger ? { upload = "${var.workflow.name}-on-upload" } : {},
  )

  job_triggers = merge([
    for wf, wf_name in local.workflows : {
      for job, after in var.conditional_jobs : "${wf}/${job}" => {
        workflow = wf, name = "${wf_name}-${job}", after = after, job = job, crawler = null
      }
    }
  ]...)

  crawler_triggers = merge([
    for wf, wf_name in local.workflows : {
      for crawler, spec in var.crawlers : "${wf}/crawl-${crawler}" => {
        workflow = wf, name = "${wf_name}-crawl-${crawler}", after = spec.after, job = null,
        crawler  = crawler
      }
    }
  ]...)
}

resource "aws_glue_workflow" "this" {
  for_each            = local.workflows
  name                = each.value
  description         = each.key == "daily" ? "orderlake daily run (${var.workflow.schedule})" : "orderlake run started by an upload into raw"
  max_concurrent_runs = 1
}

# One path starts clean_orders for a day. With the upload trigger on, the day's upload (the
# generator's own daily write, or another writer's) starts the upload workflow and this trigger
# stays deactivated; otherwise the clock starts the daily workflow. Both off: manual runs only.
# `enabled` is set along with start_on_creation: the provider reads a CREATED (never started)
# trigger back as enabled = false, and a plan would otherwise start it.
resource "aws_glue_trigger" "start" {
  name              = "${var.workflow.name}-start"
  workflow_name     = aws_glue_workflow.this["daily"].name
  type              = "SCHEDULED"
  schedule          = var.workflow.schedule
  start_on_creation = local.scheduled_start
  enabled           = local.scheduled_start

  dynamic "actions" {
    for_each = var.start_jobs
    content {
      job_name  = aws_glue_job.this[actions.value].name
      arguments = { "--run_date" = var.run_date_argument }
    }
  }
}

resource "aws_glue_trigger" "upload" {
  count         = var.enable_upload_trigger ? 1 : 0
  name          = "${local.workflows["upload"]}-start"
  workflow_name = aws_glue_workflow.this["upload"].name
  type          = "EVENT"

  event_batching_condition {
    batch_size   = 1
    batch_window = 900
  }

  dynamic "actions" {
    for_each = var.start_jobs
    content {
      job_name  = aws_glue_job.this[actions.value].name
      arguments = { "--run_date" = var.run_date_argument }
    }
  }
}

resource "aws_glue_trigger" "after" {
  for_each          = merge(local.job_triggers, local.crawler_triggers)
  name              = each.value.name
  workflow_name     = aws_glue_workflow.this[each.value.workflow].name
  type              = "CONDITIONAL"
  start_on_creation = true

  predicate {
    logical = "AND"
    dynamic "conditions" {
      for_each = each.value.after
      content {
        job_name         = aws_glue_job.this[conditions.value].name
        logical_operator = "EQUALS"
        state            = "SUCCEEDED"
      }
    }
  }

  actions {
    job_name     = each.value.job == null ? null : aws_glue_job.this[each.value.job].name
    crawler_name = each.value.crawler == null ? null : aws_glue_crawler.this[each.value.crawler].name
    arguments    = each.value.job == null ? null : { "--run_date" = var.run_date_argument }
  }
}

# Uploads into the raw orders prefix start the upload workflow.
resource "aws_cloudwatch_event_rule" "upload" {
  count       = var.enable_upload_trigger ? 1 : 0
  name        = "${var.name}-raw-upload"
  description = "An object created under the raw orders prefix starts ${local.workflows["upload"]}"
  event_pattern = jsonencode({
    source        = ["aws.s3"]
    "detail-type" = ["Object Created"]
    detail = {
      bucket = { name = [var.buckets[var.tables[var.raw_table].zone]] }
      object = { key = [{ prefix = "${var.tables[var.raw_table].prefix}/" }] }
    }
  })
}

resource "aws_cloudwatch_event_target" "upload" {
  count    = var.enable_upload_trigger ? 1 : 0
  rule     = aws_cloudwatch_event_rule.upload[0].name
  arn      = aws_glue_workflow.this["upload"].arn
  role_arn = aws_iam_role.events_to_glue[0].arn
}

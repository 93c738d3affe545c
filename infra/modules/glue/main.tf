# Glue: catalog database, job scripts and library in the artifacts bucket, one job per
# pipeline.yaml job, crawlers per crawler entry, and the security configuration they share.
locals {
  artifacts     = var.buckets["artifacts"]
  table_uri     = { for name, t in var.tables : name => "s3://${var.buckets[t.zone]}/${t.prefix}" }
  security_conf = var.create_security_configuration ? aws_glue_security_configuration.this[0].name : null
  wheel_key     = "glue/lib/${basename(var.wheel_file)}"
  script_key    = { for job, spec in var.jobs : job => "glue/scripts/${basename(spec.script)}" }
  # Glue job and crawler names are <project>-<pipeline.yaml name>, the names the event patterns
  # in events/patterns/*.json match in AWS and locally.
  job_name       = { for job in keys(var.jobs) : job => "${var.name}-${job}" }
  data_zones     = distinct([for t in var.tables : t.zone])
  data_zone_arns = [for zone in local.data_zones : var.bucket_arns[zone]]
  # The objects of the tables some job reads, and of those some job writes (one role serves all
  # jobs): a job that only reads a table (clean_orders and raw) cannot change it.
  table_objects  = { for name, t in var.tables : name => "${var.bucket_arns[t.zone]}/${t.prefix}/*" }
  read_tables    = distinct(flatten([for j in var.jobs : j.reads]))
  written_tables = distinct(flatten([for j in var.jobs : j.writes]))
}

resource "aws_glue_catalog_database" "this" {
  name        = var.database
  description = "orderlake tables, created by the crawlers"
}

resource "aws_s3_object" "script" {
  for_each    = var.jobs
  bucket      = local.artifacts
  key         = local.script_key[each.key]
  source      = "${var.repo_root}/${each.value.script}"
  source_hash = filemd5("${var.repo_root}/${each.value.script}")
}

resource "aws_s3_object" "wheel" {
  bucket      = local.artifacts
  key         = local.wheel_key
  source      = var.wheel_file
  source_hash = filemd5(var.wheel_file)
}

resource "aws_glue_security_configuration" "this" {
  count = var.create_security_configuration ? 1 : 0
  name  = "${var.name}-glue"

  encryption_configuration {
    cloudwatch_encryption {
      cloudwatch_encryption_mode = "SSE-KMS"
      kms_key_arn                = var.kms_key_arn
    }
    job_bookmarks_encryption {
      job_bookmarks_encryption_mode = "CSE-KMS"
      kms_key_arn                   = var.kms_key_arn
    }
    s3_encryption {
      s3_encryption_mode = "SSE-KMS"
      kms_key_arn        = var.kms_key_arn
    }
  }
}

resource "aws_glue_job" "this" {
  for_each               = var.jobs
  name                   = local.job_name[each.key]
  description            = "orderlake ${each.key} (pipeline.yaml)"
  role_arn               = aws_iam_role.job.arn
  glue_version           = "5.0"
  worker_type            = each.value.worker_type
  number_of_workers      = each.value.number_of_workers
  timeout                = each.value.timeout_minutes
  max_retries            = each.value.max_retries
  execution_class        = var.execution_class
  security_configuration = local.security_conf

  command {
    name            = "glueetl"
    script_location = "s3://${local.artifacts}/${aws_s3_object.script[each.key].key}"
    python_version  = "3"
  }

  execution_property {
    max_concurrent_runs = 1
  }

  default_arguments = merge(
    # One --<table>_path per table the job reads or writes (its config dataclass fields).
    # --run_date is not a default: the workflow triggers pass it, so Glue records it with each
    # run (the archive Lambda and the alert email read it back), and a manual run must say it.
    { for table in each.value.tables : "--${table}_path" => local.table_uri[table] },
    { for arg, path in each.value.rulesets : "--${arg}" => "s3://${local.artifacts}/${path}" },
    lookup(var.job_extra_arguments, each.key, {}),
    {
      "--additional-python-modules"        = "s3://${local.artifacts}/${aws_s3_object.wheel.key}"
      "--python-modules-installer-option"  = "--no-deps"
      "--job-language"                     = "python"
      "--TempDir"                          = "s3://${local.artifacts}/glue/tmp/"
      "--enable-metrics"                   = "true"
      "--enable-observability-metrics"     = "true"
      "--enable-continuous-cloudwatch-log" = "true"
      "--enable-job-insights"              = "true"
      "--job-bookmark-option"              = "job-bookmark-disable"
    },
  )
}

resource "aws_glue_crawler" "this" {
  for_each               = var.crawlers
  name                   = "${var.name}-${each.key}"
  database_name          = aws_glue_catalog_database.this.name
  role                   = aws_iam_role.crawler.arn
  security_configuration = local.security_conf

  dynamic "s3_target" {
    for_each = each.value.tables
    content {
      path = "${local.table_uri[s3_target.value]}/"
      # A write's hidden prefixes (_staging-, _retired-, a failed run's _failed-dt-…) and
      # Spark's _SUCCESS markers are not partitions.
      exclusions = ["_*", "_*/**"]
    }
  }

  # One table per target prefix (named after it), partitioned by dt=; existing tables are
  # updated, never deleted.
  configuration = jsonencode({
    Version       = 1.0
    CrawlerOutput = { Partitions = { AddOrUpdateBehavior = "InheritFromTable" } }
  })

  schema_change_policy {
    delete_behavior = "LOG"
    update_behavior = "UPDATE_IN_DATABASE"
  }

  recrawl_policy {
    recrawl_behavior = "CRAWL_EVERYTHING"
  }
}

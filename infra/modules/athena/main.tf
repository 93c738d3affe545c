# The analysts' workgroup (its settings enforced on every query) and one named query per
# sql/queries/*.sql file, named after the file.
locals {
  query_files = fileset(var.queries_dir, "*.sql")
}

resource "aws_athena_workgroup" "this" {
  name          = var.name
  description   = "orderlake saved queries"
  force_destroy = true

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.bytes_scanned_cutoff

    engine_version {
      selected_engine_version = "Athena engine version 3"
    }

    result_configuration {
      output_location = "s3://${var.results_bucket}/results/"
      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = var.kms_key_arn
      }
    }
  }
}

resource "aws_athena_named_query" "this" {
  for_each    = local.query_files
  name        = trimsuffix(each.value, ".sql")
  description = "sql/queries/${each.value}"
  workgroup   = aws_athena_workgroup.this.id
  database    = var.database
  query       = file("${var.queries_dir}/${each.value}")
}

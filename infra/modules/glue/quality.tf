# quality/*.dqdl: uploaded to the artifacts bucket, and registered as Glue Data Quality
# rulesets. No target table: the crawlers create the tables after the first run, and a ruleset
# naming a missing table is rejected. Zero files is fine.
locals {
  quality_dir   = "${var.repo_root}/quality"
  quality_files = fileset(local.quality_dir, "*.dqdl")
}

resource "aws_s3_object" "ruleset" {
  for_each    = local.quality_files
  bucket      = local.artifacts
  key         = "quality/${each.value}"
  source      = "${local.quality_dir}/${each.value}"
  source_hash = filemd5("${local.quality_dir}/${each.value}")
}

resource "aws_glue_data_quality_ruleset" "this" {
  for_each    = var.create_dq_rulesets ? local.quality_files : toset([])
  name        = "${var.name}-${trimsuffix(each.value, ".dqdl")}"
  description = "orderlake quality/${each.value}"
  ruleset     = file("${local.quality_dir}/${each.value}")

}

# orderlake in AWS. Names, jobs, schedules and crawlers come from pipeline.yaml (module
# "definition"); event patterns, DQDL rulesets and saved queries from their folders (fileset),
# so a file added there is deployed without editing Terraform.
locals {
  repo_root     = abspath(coalesce(var.repo_root, "${path.root}/.."))
  pipeline_file = coalesce(var.pipeline_file, "${local.repo_root}/pipeline.yaml")
  artifacts_dir = coalesce(var.artifacts_dir, "${local.repo_root}/build/artifacts")
  manifest      = jsondecode(file("${local.artifacts_dir}/manifest.json"))
  name          = module.definition.project
  account_id    = data.aws_caller_identity.current.account_id
  pandas_layer  = var.attach_pandas_layer ? data.aws_lambda_layer_version.pandas[0].arn : null
  # The blocking rulesets as a Glue job evaluates them: under the DQDL file's stem, the
  # evaluation context orderlake.quality.glue_dq passes (quality/orders.dqdl -> orders).
  blocking_rulesets = [
    for job in module.definition.jobs : trimsuffix(basename(job.rulesets["blocking_ruleset"]), ".dqdl")
    if contains(keys(job.rulesets), "blocking_ruleset")
  ]
}

data "aws_caller_identity" "current" {}

# Settings that contradict each other, or that AWS would reject halfway through an apply, stop
# the plan here with one message each.
resource "terraform_data" "settings" {
  lifecycle {
    precondition {
      condition     = !var.enable_upload_trigger || var.enable_raw_eventbridge_notifications
      error_message = "enable_upload_trigger = true needs enable_raw_eventbridge_notifications = true: the upload rule sees the raw bucket's uploads only through EventBridge, so no day would ever start."
    }
    precondition {
      condition     = !(var.enable_redshift && var.redshift_enhanced_vpc_routing) || (length(var.redshift_subnet_ids) > 0 && length(var.redshift_security_group_ids) > 0 && length(var.redshift_s3_endpoint_route_table_ids) > 0)
      error_message = "redshift_enhanced_vpc_routing = true needs redshift_subnet_ids, redshift_security_group_ids and redshift_s3_endpoint_route_table_ids: with enhanced routing COPY reaches S3 only through the VPC's S3 gateway endpoint."
    }
  }
}

# The managed layer, looked up at plan time (GetLayerVersion) so that a version missing in the
# region fails the plan, not CreateFunction halfway through an apply.
data "aws_lambda_layer_version" "pandas" {
  count      = var.attach_pandas_layer ? 1 : 0
  layer_name = join(":", slice(split(":", coalesce(var.pandas_layer_arn, "arn:aws:lambda:none:000000000000:layer:none:0")), 0, 7))
  version    = tonumber(element(split(":", coalesce(var.pandas_layer_arn, "arn:aws:lambda:none:000000000000:layer:none:0")), 7))

  lifecycle {
    precondition {
      condition     = var.pandas_layer_arn != null
      error_message = "attach_pandas_layer = true needs pandas_layer_arn: the AWSSDKPandas-Python311 layer ARN of ${var.region} (https://aws-sdk-pandas.readthedocs.io/en/stable/layers.html), or attach_pandas_layer = false (the generator Lambda then cannot import numpy)."
    }
    precondition {
      condition     = var.pandas_layer_arn == null || try(split(":", var.pandas_layer_arn)[3] == var.region, false)
      error_message = "pandas_layer_arn is a layer of region ${try(split(":", var.pandas_layer_arn)[3], "?")}, but the Lambdas deploy to ${var.region}: a Lambda can only use a layer of its own region."
    }
    postcondition {
      condition     = contains(self.compatible_runtimes, "python3.11")
      error_message = "pandas_layer_arn (${self.arn}) is not a layer for the python3.11 runtime the Lambdas use: take the AWSSDKPandas-Python311 ARN."
    }
  }
}

module "definition" {
  source        = "./modules/definition"
  pipeline_file = local.pipeline_file
  optional_jobs = var.enable_redshift ? ["load_redshift"] : []
}

module "kms" {
  source     = "./modules/kms"
  name       = local.name
  region     = var.region
  account_id = local.account_id
}

module "storage" {
  source                     = "./modules/storage"
  name                       = local.name
  account_id                 = local.account_id
  region                     = var.region
  zones                      = module.definition.zones
  kms_key_arn                = module.kms.key_arn
  athena_results_expiry_days = var.athena_results_expiry_days
  archive_transition_days    = var.archive_transition_days
  raw_eventbridge            = var.enable_raw_eventbridge_notifications
  tls_only_policies          = var.enable_tls_only_bucket_policies
}

module "glue" {
  source                        = "./modules/glue"
  name                          = local.name
  region                        = var.region
  account_id                    = local.account_id
  repo_root                     = local.repo_root
  database                      = module.definition.glue_database
  tables                        = module.definition.tables
  jobs                          = module.definition.jobs
  start_jobs                    = module.definition.start_jobs
  conditional_jobs              = module.definition.conditional_jobs
  crawlers                      = module.definition.crawlers
  workflow                      = module.definition.workflow
  buckets                       = module.storage.bucket_names
  bucket_arns                   = module.storage.bucket_arns
  kms_key_arn                   = module.kms.key_arn
  wheel_file                    = "${local.artifacts_dir}/${local.manifest.wheel}"
  execution_class               = var.glue_execution_class
  enable_schedules              = var.enable_schedules
  enable_upload_trigger         = var.enable_upload_trigger
  create_security_configuration = var.create_security_configuration
  create_dq_rulesets            = var.create_dq_rulesets
  redshift_workgroup_arn        = var.enable_redshift ? module.redshift[0].workgroup_arn : null
  job_extra_arguments = var.enable_redshift ? {
    load_redshift = {
      "--redshift_workgroup"    = module.redshift[0].workgroup_name
      "--redshift_database"     = module.redshift[0].database
      "--redshift_iam_role_arn" = module.redshift[0].copy_role_arn
    }
  } : {}
}

module "lambdas" {
  source               = "./modules/lambdas"
  name                 = local.name
  artifacts_dir        = local.artifacts_dir
  manifest             = local.manifest
  generator            = module.definition.generator
  tables               = module.definition.tables
  buckets              = module.storage.bucket_names
  bucket_arns          = module.storage.bucket_arns
  kms_key_arn          = module.kms.key_arn
  pandas_layer_arn     = local.pandas_layer
  glue_job_arns        = module.glue.job_arns
  log_retention_days   = var.log_retention_days
  enable_schedules     = var.enable_schedules
  reserved_concurrency = var.lambda_reserved_concurrency
  # The notifier publishes to the on-call topic; its failed invocations go to the queue.
  on_call_topic_arn        = module.notifications.topic_arn
  notify_failure_queue_arn = module.notifications.failure_queue_arn
  freshness_job_arn        = module.glue.job_arns_by_name[module.definition.freshness.job]
  sales_topic_arn          = module.notifications.sales_topic_arn
  quality_result_arns      = [for r in local.blocking_rulesets : "arn:aws:glue:${var.region}:${local.account_id}:dataQualityRuleset/${r}"]
}

module "athena" {
  source               = "./modules/athena"
  name                 = local.name
  queries_dir          = "${local.repo_root}/sql/queries"
  database             = module.glue.database_name
  results_bucket       = module.storage.bucket_names["athena_results"]
  kms_key_arn          = module.kms.key_arn
  bytes_scanned_cutoff = var.athena_bytes_scanned_cutoff
}

module "notifications" {
  source              = "./modules/notifications"
  name                = local.name
  patterns_dir        = "${local.repo_root}/events/patterns"
  kms_key_arn         = module.kms.key_arn
  alert_email         = var.alert_email
  notify_lambda_arn   = module.lambdas.notify_function_arn
  notify_lambda_name  = module.lambdas.notify_function_name
  archive_lambda_arn  = module.lambdas.archive_function_arn
  archive_lambda_name = module.lambdas.archive_function_name
  # Known at plan time (from the build manifest), unlike the function's ARN.
  enable_archive_target  = contains(keys(local.manifest.lambdas), "archive_raw")
  enable_freshness_check = contains(keys(local.manifest.lambdas), "check_freshness")
  freshness_deadline     = module.definition.freshness.deadline
  freshness_lambda_arn   = module.lambdas.freshness_function_arn
  freshness_lambda_name  = module.lambdas.freshness_function_name
  enable_schedules       = var.enable_schedules
  enable_sales_target    = contains(keys(local.manifest.lambdas), "sales_alert")
  sales_lambda_arn       = module.lambdas.sales_function_arn
  sales_lambda_name      = module.lambdas.sales_function_name
  sales_alert_emails     = var.sales_alert_emails != null ? var.sales_alert_emails : try(module.definition.high_value_sales.recipients, [])
}

module "redshift" {
  source               = "./modules/redshift"
  count                = var.enable_redshift ? 1 : 0
  name                 = local.name
  kms_key_arn          = module.kms.key_arn
  base_capacity        = var.redshift_base_capacity
  analytics_bucket_arn = module.storage.bucket_arns["analytics"]
  subnet_ids           = var.redshift_subnet_ids
  security_group_ids   = var.redshift_security_group_ids
  enhanced_vpc_routing = var.redshift_enhanced_vpc_routing
  s3_route_table_ids   = var.redshift_s3_endpoint_route_table_ids
  region               = var.region
}

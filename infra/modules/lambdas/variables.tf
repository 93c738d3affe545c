variable "name" {
  type        = string
  description = "Project name, the prefix of resource names."
}

variable "artifacts_dir" {
  type        = string
  description = "Folder holding the Lambda zips and the dependencies layer zip (scripts/build_artifacts.py)."
}

variable "manifest" {
  type = object({
    wheel   = string
    layer   = string
    lambdas = map(string)
  })
  description = "build/artifacts/manifest.json: file names of the wheel, the layer zip and each Lambda's zip."
}

variable "generator" {
  type        = any
  description = "pipeline.yaml `generator`: lambda_name, schedule (AWS cron), rows, malformed_share, seed."
}

variable "tables" {
  type        = map(object({ zone = string, prefix = string }))
  description = "Table name => zone and prefix, from pipeline.yaml."
}

variable "buckets" {
  type        = map(string)
  description = "Zone name => bucket name."
}

variable "bucket_arns" {
  type        = map(string)
  description = "Zone name => bucket ARN."
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key of the buckets, log groups and Lambda environment."
}

variable "pandas_layer_arn" {
  type        = string
  description = "ARN of the AWS-managed AWSSDKPandas layer (numpy, pyarrow); null attaches none."
  default     = null
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the Lambda log groups, in days."
}

variable "reserved_concurrency" {
  type        = number
  description = "Concurrent executions reserved for each Lambda; -1 for none (new accounts cannot reserve any)."
  default     = -1
}

variable "enable_schedules" {
  type        = bool
  description = "Whether the generator's daily schedule rule is enabled."
  default     = true
}

variable "raw_table" {
  type        = string
  description = "Table the generator writes and the archive Lambda archives."
  default     = "raw_orders"
}

variable "glue_job_arns" {
  type        = list(string)
  description = "Glue jobs whose runs the archive Lambda may look up (for the run's date)."
  default     = []
}

variable "quality_result_arns" {
  type        = list(string)
  description = "Glue Data Quality ruleset ARNs whose evaluation results the notifier may read (glue:GetDataQualityResult): the pipeline's blocking rulesets."
  default     = []
}

variable "on_call_topic_arn" {
  type        = string
  description = "SNS topic the notifier Lambda publishes on-call messages to."
  default     = null
}

variable "notify_failure_queue_arn" {
  type        = string
  description = "SQS queue receiving the notifier's failed invocations (its on-failure destination)."
  default     = null
}

variable "freshness_job_arn" {
  type        = string
  description = "ARN of the Glue job whose runs the freshness check reads (pipeline.yaml notifications.freshness.job)."
  default     = null
}

variable "sales_topic_arn" {
  type        = string
  description = "SNS topic the sale-alert Lambda publishes the high-value sales report to."
  default     = null
}

variable "region" {
  type        = string
  description = "AWS region to deploy into."
  default     = "eu-west-1"
}

variable "repo_root" {
  type        = string
  description = "Path of the orderlake checkout (pipeline.yaml, glue_jobs/, sql/, events/, quality/). Null means the folder above infra/."
  default     = null
}

variable "pipeline_file" {
  type        = string
  description = "Path to the pipeline definition. Null means <repo_root>/pipeline.yaml."
  default     = null
}

variable "artifacts_dir" {
  type        = string
  description = "Folder where scripts/build_artifacts.py wrote the wheel, Lambda zips and layer. Null means <repo_root>/build/artifacts."
  default     = null
}

variable "endpoint_url" {
  type        = string
  description = "Send every AWS API call to this endpoint (a local emulator such as moto). Null for real AWS."
  default     = null
}

variable "tags" {
  type        = map(string)
  description = "Extra tags on every resource."
  default     = {}
}

variable "alert_email" {
  type        = string
  description = "Email address subscribed to the alerts topic (job failures, data quality). Null for none; AWS sends a confirmation mail first."
  default     = null
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the Lambda log groups, in days."
  default     = 365
}

variable "athena_results_expiry_days" {
  type        = number
  description = "Athena query results are deleted after this many days."
  default     = 30
}

variable "archive_transition_days" {
  type        = number
  description = "Objects in the archive bucket move to Glacier Flexible Retrieval after this many days."
  default     = 30
}

variable "athena_bytes_scanned_cutoff" {
  type        = number
  description = "Athena cancels a query of the workgroup that scans more than this many bytes."
  default     = 10737418240
}

variable "lambda_reserved_concurrency" {
  type        = number
  description = "Concurrent executions reserved for each Lambda (caps runaway invocations); -1 for none, which new accounts (limit 10) need."
  default     = -1
}

variable "pandas_layer_arn" {
  type        = string
  description = "ARN of the AWS-managed AWSSDKPandas layer for Python 3.11 (numpy, pyarrow) in var.region. Null means the layer in account 336392948345 of var.region."
  default     = null
}

variable "attach_pandas_layer" {
  type        = bool
  description = "Attach the AWS-managed AWSSDKPandas layer (numpy, pyarrow) to the Lambdas. The generator needs it in AWS."
  default     = true
}

variable "pandas_layer_version" {
  type        = number
  description = "Version of the AWSSDKPandas-Python311 layer used when pandas_layer_arn is null."
  default     = 22
}

variable "glue_execution_class" {
  type        = string
  description = "Glue job execution class: STANDARD, or FLEX for cheaper, delayed starts."
  default     = "STANDARD"
}

variable "enable_schedules" {
  type        = bool
  description = "Whether the generator's EventBridge schedule and the workflow's SCHEDULED trigger start enabled."
  default     = true
}

variable "enable_upload_trigger" {
  type        = bool
  description = "Create a second Glue workflow that an upload into the raw orders prefix starts (S3 -> EventBridge -> Glue EVENT trigger)."
  default     = true
}

variable "enable_tls_only_bucket_policies" {
  type        = bool
  description = "Attach a bucket policy denying every request not made over TLS (aws:SecureTransport) to each bucket."
  default     = true
}

variable "enable_raw_eventbridge_notifications" {
  type        = bool
  description = "Publish the raw bucket's object events to EventBridge (needed by the upload trigger)."
  default     = true
}

variable "create_security_configuration" {
  type        = bool
  description = "Create a Glue security configuration (KMS for S3, CloudWatch logs and job bookmarks) and attach it to jobs and crawlers."
  default     = true
}

variable "create_dq_rulesets" {
  type        = bool
  description = "Register each quality/*.dqdl file as a Glue Data Quality ruleset on its table (moto does not implement the API)."
  default     = true
}

variable "enable_redshift" {
  type        = bool
  description = "Create a Redshift Serverless namespace and workgroup for the optional load_redshift job."
  default     = false
}

variable "redshift_base_capacity" {
  type        = number
  description = "Base capacity of the Redshift Serverless workgroup, in RPUs."
  default     = 8
}

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
  description = "On-call's email address, subscribed to the on-call topic (job and crawler failures, data quality, missing days, notifier failures). Required: without it nobody is told. AWS sends a confirmation mail first."
  default     = null

  validation {
    condition     = var.alert_email != null && can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", coalesce(var.alert_email, "-")))
    error_message = "alert_email is required: on-call's email address (e.g. alert_email = \"oncall@example.com\" in infra/terraform.tfvars). Without it no failure, data quality or missing-day alert reaches anyone."
  }
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
  description = "ARN of the AWS-managed AWSSDKPandas-Python311 layer (numpy, pyarrow, pandas) in var.region, e.g. arn:aws:lambda:eu-west-1:336392948345:layer:AWSSDKPandas-Python311:22. Versions (and for some regions the publishing account) differ per region: take it from https://aws-sdk-pandas.readthedocs.io/en/stable/layers.html. Required while attach_pandas_layer is on."
  default     = null

  validation {
    condition     = var.pandas_layer_arn == null || can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]+:[0-9]+$", var.pandas_layer_arn))
    error_message = "pandas_layer_arn must be a layer version ARN, arn:aws:lambda:<region>:<account>:layer:<name>:<version>."
  }
}

variable "attach_pandas_layer" {
  type        = bool
  description = "Attach the AWS-managed AWSSDKPandas layer (numpy, pyarrow, pandas) named by pandas_layer_arn to the Lambdas. The generator needs it in AWS."
  default     = true
}

variable "glue_execution_class" {
  type        = string
  description = "Glue job execution class: STANDARD, or FLEX for cheaper, delayed starts."
  default     = "STANDARD"
}

variable "enable_schedules" {
  type        = bool
  description = "Whether the daily schedules run: the generator's EventBridge rule and, unless enable_upload_trigger is on, the daily workflow's SCHEDULED trigger. Off: nothing starts by itself (manual and backfill runs only)."
  default     = true
}

variable "enable_upload_trigger" {
  type        = bool
  description = "Start each day from its upload instead of the clock: an object created under the raw orders prefix (the generator's daily write, or any other writer's) starts the upload workflow, and the daily SCHEDULED trigger stays deactivated, so one path runs clean_orders per day. Needs enable_raw_eventbridge_notifications."
  default     = false
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

variable "redshift_subnet_ids" {
  type        = list(string)
  description = "Subnets of the Redshift Serverless workgroup (at least three, in different Availability Zones). Empty: the default VPC's subnets, which accounts without a default VPC lack."
  default     = []
}

variable "redshift_security_group_ids" {
  type        = list(string)
  description = "Security groups of the Redshift Serverless workgroup. Empty: the VPC's default security group."
  default     = []
}

variable "redshift_enhanced_vpc_routing" {
  type        = bool
  description = "Route COPY's S3 traffic through the workgroup's VPC. Needs redshift_subnet_ids, redshift_security_group_ids and redshift_s3_endpoint_route_table_ids (an S3 gateway endpoint is created on those route tables): without a route to S3 COPY fails."
  default     = false
}

variable "redshift_s3_endpoint_route_table_ids" {
  type        = list(string)
  description = "Route tables of the workgroup's subnets; an S3 gateway endpoint is created on them when redshift_enhanced_vpc_routing is on."
  default     = []
}

variable "redshift_base_capacity" {
  type        = number
  description = "Base capacity of the Redshift Serverless workgroup, in RPUs."
  default     = 8
}

variable "sales_alert_emails" {
  type        = list(string)
  description = "Email addresses subscribed to the sales-alerts topic (high-value sale reports). Null: pipeline.yaml notifications.high_value_sales.recipients. AWS mails each a confirmation link first."
  default     = null
}

variable "name" {
  type        = string
  description = "Project name, the prefix of resource names."
}

variable "region" {
  type        = string
  description = "AWS region."
}

variable "account_id" {
  type        = string
  description = "AWS account id."
}

variable "repo_root" {
  type        = string
  description = "Path of the orderlake checkout (job scripts, quality/*.dqdl)."
}

variable "database" {
  type        = string
  description = "Glue Data Catalog database name."
}

variable "tables" {
  type        = map(object({ zone = string, prefix = string }))
  description = "Table name => zone and prefix, from pipeline.yaml."
}

variable "jobs" {
  type = map(object({
    script            = string
    after             = list(string)
    worker_type       = string
    number_of_workers = number
    timeout_minutes   = number
    max_retries       = number
    tables            = list(string)
    reads             = list(string)
    writes            = list(string)
    rulesets          = map(string)
  }))
  description = "Job name => settings, from pipeline.yaml."
}

variable "start_jobs" {
  type        = list(string)
  description = "Jobs the workflow's start trigger runs."
}

variable "conditional_jobs" {
  type        = map(list(string))
  description = "Job name => jobs that must succeed before it."
}

variable "crawlers" {
  type        = map(object({ zone = string, tables = list(string), after = list(string) }))
  description = "Crawler name => zone, tables to crawl, and jobs after which it runs."
}

variable "workflow" {
  type        = object({ name = string, schedule = string })
  description = "Glue workflow name and AWS cron schedule."
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
  description = "KMS key of the buckets and logs."
}

variable "wheel_file" {
  type        = string
  description = "Local path of the orderlake wheel that the jobs install (--additional-python-modules)."
}

variable "job_extra_arguments" {
  type        = map(map(string))
  description = "Job name => extra default arguments (e.g. the Redshift settings of load_redshift)."
  default     = {}
}

variable "run_date_argument" {
  type        = string
  description = "The --run_date the workflow triggers pass: `yesterday` (resolved by the job in UTC)."
  default     = "yesterday"
}

variable "redshift_workgroup_arn" {
  type        = string
  description = "Redshift Serverless workgroup load_redshift loads into (Data API access for the job role); null when Redshift is off."
  default     = null
}

variable "execution_class" {
  type        = string
  description = "Glue job execution class (STANDARD or FLEX)."
  default     = "STANDARD"
}

variable "enable_schedules" {
  type        = bool
  description = "Whether the daily workflow's SCHEDULED trigger runs (unless enable_upload_trigger makes the upload the day's one path)."
  default     = true
}

variable "enable_upload_trigger" {
  type        = bool
  description = "Create a second workflow started by uploads into the raw orders prefix; the SCHEDULED trigger then stays deactivated."
  default     = false
}

variable "raw_table" {
  type        = string
  description = "Table whose uploads start the upload workflow."
  default     = "raw_orders"
}

variable "create_security_configuration" {
  type        = bool
  description = "Create and attach a Glue security configuration (KMS for S3, logs, bookmarks)."
  default     = true
}

variable "create_dq_rulesets" {
  type        = bool
  description = "Register quality/*.dqdl as Glue Data Quality rulesets."
  default     = true
}

variable "name" {
  type        = string
  description = "Project name, the first part of every bucket name."
}

variable "account_id" {
  type        = string
  description = "AWS account id, part of the bucket names so they are globally unique."
}

variable "region" {
  type        = string
  description = "AWS region, part of the bucket names."
}

variable "zones" {
  type        = map(string)
  description = "Zone name => folder name from pipeline.yaml; one bucket per zone."
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key for default bucket encryption."
}

variable "athena_results_expiry_days" {
  type        = number
  description = "Days after which objects in the athena_results zone expire."
}

variable "archive_transition_days" {
  type        = number
  description = "Days after which objects in the archive zone move to Glacier Flexible Retrieval."
}

variable "tls_only_policies" {
  type        = bool
  description = "Attach a bucket policy denying requests made without TLS."
  default     = true
}

variable "raw_eventbridge" {
  type        = bool
  description = "Publish the raw bucket's object events to EventBridge."
  default     = true
}

variable "noncurrent_version_expiry_days" {
  type        = number
  description = "Days after which noncurrent object versions are deleted (re-runs overwrite partitions)."
  default     = 90
}

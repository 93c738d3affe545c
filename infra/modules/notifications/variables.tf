variable "name" {
  type        = string
  description = "Project name, the prefix of resource names."
}

variable "patterns_dir" {
  type        = string
  description = "Folder of EventBridge event patterns, one JSON pattern per *.json file; each becomes a rule targeting the topic."
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key that encrypts the topic."
}

variable "alert_email" {
  type        = string
  description = "Email address subscribed to failure alerts; null for none."
  default     = null
}

variable "enable_archive_subscription" {
  type        = bool
  description = "Subscribe the archive Lambda to the topic."
  default     = false
}

variable "archive_lambda_arn" {
  type        = string
  description = "ARN of the archive Lambda (when enable_archive_subscription)."
  default     = null
}

variable "archive_lambda_name" {
  type        = string
  description = "Name of the archive Lambda (when enable_archive_subscription)."
  default     = null
}

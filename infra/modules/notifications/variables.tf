variable "name" {
  type        = string
  description = "Project name, the prefix of resource names."
}

variable "patterns_dir" {
  type        = string
  description = "Folder of EventBridge event patterns, one JSON pattern per *.json file; each becomes a rule invoking the notifier Lambda."
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key that encrypts the topic and the failures queue."
}

variable "alert_email" {
  type        = string
  description = "Email address subscribed to the on-call topic."
}

variable "notify_lambda_arn" {
  type        = string
  description = "ARN of the notifier Lambda every rule invokes."
}

variable "notify_lambda_name" {
  type        = string
  description = "Name of the notifier Lambda."
}

variable "enable_archive_target" {
  type        = bool
  description = "Also invoke the archive Lambda from the archive rule."
  default     = false
}

variable "archive_rule" {
  type        = string
  description = "Pattern file stem whose rule also invokes the archive Lambda (clean_orders SUCCEEDED)."
  default     = "clean_orders_succeeded"
}

variable "archive_lambda_arn" {
  type        = string
  description = "ARN of the archive Lambda (when enable_archive_target)."
  default     = null
}

variable "archive_lambda_name" {
  type        = string
  description = "Name of the archive Lambda (when enable_archive_target)."
  default     = null
}

variable "enable_freshness_check" {
  type        = bool
  description = "Deploy the freshness deadline rule invoking the freshness-check Lambda."
  default     = false
}

variable "freshness_deadline" {
  type        = string
  description = "pipeline.yaml notifications.freshness.deadline (AWS cron, UTC)."
  default     = "cron(0 6 * * ? *)"
}

variable "freshness_lambda_arn" {
  type        = string
  description = "ARN of the freshness-check Lambda (when enable_freshness_check)."
  default     = null
}

variable "freshness_lambda_name" {
  type        = string
  description = "Name of the freshness-check Lambda (when enable_freshness_check)."
  default     = null
}

variable "enable_schedules" {
  type        = bool
  description = "Whether the freshness deadline rule is enabled (with the other daily schedules)."
  default     = true
}

variable "sales_alert_emails" {
  type        = list(string)
  description = "Email addresses subscribed to the sales-alerts topic (default: pipeline.yaml notifications.high_value_sales.recipients)."
  default     = []
}

variable "enable_sales_target" {
  type        = bool
  description = "Invoke the sale-alert Lambda from the clean_orders_succeeded rule."
  default     = false
}

variable "sales_lambda_arn" {
  type        = string
  description = "ARN of the sale-alert Lambda (when enable_sales_target)."
  default     = null
}

variable "sales_lambda_name" {
  type        = string
  description = "Name of the sale-alert Lambda (when enable_sales_target)."
  default     = null
}

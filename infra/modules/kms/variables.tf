variable "name" {
  type        = string
  description = "Project name, the prefix of resource names."
}

variable "region" {
  type        = string
  description = "AWS region (CloudWatch Logs needs it in the key policy)."
}

variable "account_id" {
  type        = string
  description = "AWS account id that owns the key."
}

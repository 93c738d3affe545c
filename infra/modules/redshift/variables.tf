variable "name" {
  type        = string
  description = "Project name, the namespace and workgroup name."
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key that encrypts the namespace."
}

variable "analytics_bucket_arn" {
  type        = string
  description = "Bucket COPY reads the analytics Parquet from."
}

variable "base_capacity" {
  type        = number
  description = "Base capacity of the workgroup, in RPUs."
  default     = 8
}

variable "database" {
  type        = string
  description = "Database that load_redshift writes to."
  default     = "orderlake"
}

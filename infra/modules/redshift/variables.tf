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

variable "region" {
  type        = string
  description = "Region of the workgroup (the S3 gateway endpoint's service name)."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Subnets of the workgroup; empty for the default VPC's."
  default     = []
}

variable "security_group_ids" {
  type        = list(string)
  description = "Security groups of the workgroup; empty for the VPC's default group."
  default     = []
}

variable "enhanced_vpc_routing" {
  type        = bool
  description = "Route COPY's S3 traffic through the VPC (an S3 gateway endpoint is created on s3_route_table_ids)."
  default     = false
}

variable "s3_route_table_ids" {
  type        = list(string)
  description = "Route tables that get the S3 gateway endpoint when enhanced_vpc_routing is on."
  default     = []
}

variable "name" {
  type        = string
  description = "Project name, the workgroup name."
}

variable "queries_dir" {
  type        = string
  description = "Folder of saved queries, one statement per *.sql file; each becomes a named query."
}

variable "database" {
  type        = string
  description = "Glue database the named queries run against."
}

variable "results_bucket" {
  type        = string
  description = "Bucket for query results."
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key that encrypts query results."
}

variable "bytes_scanned_cutoff" {
  type        = number
  description = "Cancel a query that scans more than this many bytes."
}

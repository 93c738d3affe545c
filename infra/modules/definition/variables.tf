variable "optional_jobs" {
  type        = list(string)
  description = "Jobs marked `enabled: false` in pipeline.yaml to deploy anyway (e.g. load_redshift when enable_redshift)."
  default     = []
}

variable "pipeline_file" {
  type        = string
  description = "Path to pipeline.yaml, the one definition of zones, tables, jobs, schedules and crawlers that the local runner reads too."
}

provider "aws" {
  region = var.region

  # Only the emulator test sets endpoint_url: every service goes to one local endpoint, with
  # path-style S3 addressing and dummy credentials that are never validated.
  skip_credentials_validation = var.endpoint_url != null
  skip_metadata_api_check     = var.endpoint_url != null
  skip_requesting_account_id  = false
  s3_use_path_style           = var.endpoint_url != null

  dynamic "endpoints" {
    for_each = var.endpoint_url == null ? [] : [var.endpoint_url]
    content {
      athena             = endpoints.value
      cloudwatch         = endpoints.value
      events             = endpoints.value
      logs               = endpoints.value
      glue               = endpoints.value
      iam                = endpoints.value
      kms                = endpoints.value
      lambda             = endpoints.value
      redshiftserverless = endpoints.value
      s3                 = endpoints.value
      sns                = endpoints.value
      sqs                = endpoints.value
      sts                = endpoints.value
    }
  }

  default_tags {
    tags = merge({ project = module.definition.project, managed_by = "terraform" }, var.tags)
  }
}

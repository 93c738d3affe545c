output "bucket_names" {
  description = "Zone name => bucket name."
  value       = { for zone, bucket in aws_s3_bucket.zone : zone => bucket.id }
}

output "bucket_arns" {
  description = "Zone name => bucket ARN."
  value       = { for zone, bucket in aws_s3_bucket.zone : zone => bucket.arn }
}

# Optional warehouse for the load_redshift job (root variable enable_redshift). The admin
# password is generated and kept in Secrets Manager by Redshift itself.
data "aws_iam_policy_document" "assume_redshift" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["redshift.amazonaws.com", "redshift-serverless.amazonaws.com"]
    }
  }
}

# The role COPY uses (--redshift_iam_role_arn): read the analytics bucket, decrypt its key.
resource "aws_iam_role" "copy" {
  name               = "${var.name}-redshift-copy"
  assume_role_policy = data.aws_iam_policy_document.assume_redshift.json
}

resource "aws_iam_role_policy" "copy" {
  name = "read-analytics"
  role = aws_iam_role.copy.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["s3:GetObject"], Resource = ["${var.analytics_bucket_arn}/*"] },
      { Effect = "Allow", Action = ["s3:ListBucket"], Resource = [var.analytics_bucket_arn] },
      { Effect = "Allow", Action = ["kms:Decrypt"], Resource = [var.kms_key_arn] },
    ]
  })
}

resource "aws_redshiftserverless_namespace" "this" {
  namespace_name        = var.name
  db_name               = var.database
  admin_username        = "orderlake_admin"
  manage_admin_password = true
  kms_key_id            = var.kms_key_arn
  log_exports           = ["userlog", "connectionlog", "useractivitylog"]
  iam_roles             = [aws_iam_role.copy.arn]
}

# Without subnets the workgroup takes the default VPC's (CreateWorkgroup fails in an account
# that has none). Enhanced VPC routing sends COPY's S3 reads through that VPC, so it comes with
# an S3 gateway endpoint on the subnets' route tables; off, COPY reaches S3 over AWS's network.
resource "aws_redshiftserverless_workgroup" "this" {
  namespace_name       = aws_redshiftserverless_namespace.this.namespace_name
  workgroup_name       = var.name
  base_capacity        = var.base_capacity
  publicly_accessible  = false
  enhanced_vpc_routing = var.enhanced_vpc_routing
  subnet_ids           = length(var.subnet_ids) > 0 ? var.subnet_ids : null
  security_group_ids   = length(var.security_group_ids) > 0 ? var.security_group_ids : null
}

data "aws_subnet" "first" {
  count = var.enhanced_vpc_routing ? 1 : 0
  id    = var.subnet_ids[0]
}

resource "aws_vpc_endpoint" "s3" {
  count             = var.enhanced_vpc_routing ? 1 : 0
  vpc_id            = data.aws_subnet.first[0].vpc_id
  service_name      = "com.amazonaws.${var.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = var.s3_route_table_ids
}

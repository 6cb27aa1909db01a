# Case: iam501_partial_companion_deny
# Near miss of iam501_companion_deny_vpce: the Deny covers only s3:PutObject, so the
# public s3:GetObject stays public.
# expect: IAM501 on aws_s3_bucket_policy.artifacts
resource "aws_s3_bucket_policy" "artifacts" {
  bucket = "artifacts"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "Read"
        Effect    = "Allow"
        Principal = "*"
        Action    = "s3:GetObject"
        Resource  = "arn:aws:s3:::artifacts/*"
      },
      {
        Sid       = "WritesThroughEndpoint"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:PutObject"
        Resource  = "arn:aws:s3:::artifacts/*"
        Condition = { StringNotEquals = { "aws:SourceVpce" = "vpce-0a1b2c3d4e5f60718" } }
      },
    ]
  })
}

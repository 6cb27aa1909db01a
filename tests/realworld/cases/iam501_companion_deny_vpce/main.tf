# Case: iam501_companion_deny_vpce
# Read for everyone, and a Deny to everyone of every action unless the request comes
# through one VPC endpoint: the bucket is not public.
# expect: no finding
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
        Sid       = "OnlyThroughEndpoint"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = ["arn:aws:s3:::artifacts", "arn:aws:s3:::artifacts/*"]
        Condition = { StringNotEquals = { "aws:SourceVpce" = "vpce-0a1b2c3d4e5f60718" } }
      },
    ]
  })
}

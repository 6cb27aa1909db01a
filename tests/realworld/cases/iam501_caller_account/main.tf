# Case: iam501_caller_account
# A KMS key policy that lets anyone use the key through S3, from our account only; and a
# near miss whose caller-account value is a wildcard.
# expect: IAM501 on aws_kms_key.any_account only
resource "aws_kms_key" "via_s3" {
  description = "via-s3"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
      Resource  = "*"
      Condition = {
        StringEquals = {
          "kms:CallerAccount" = "123456789012"
          "kms:ViaService"    = "s3.us-east-1.amazonaws.com"
        }
      }
    }]
  })
}

resource "aws_kms_key" "any_account" {
  description = "any-account"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "kms:Decrypt"
      Resource  = "*"
      Condition = { StringLike = { "kms:CallerAccount" = "*" } }
    }]
  })
}

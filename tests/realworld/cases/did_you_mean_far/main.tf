# Case: did_you_mean_far
# s3:PutBucketEncryption is the API's name; the permission is s3:PutEncryptionConfiguration.
# No action is close by its own name, so IAM310 suggests nothing.
# expect: IAM310 on aws_iam_policy.encrypt, naming 's3:PutBucketEncryption', with no suggestion
resource "aws_iam_policy" "encrypt" {
  name = "encrypt"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "s3:PutBucketEncryption"
      Resource = "arn:aws:s3:::logs"
    }]
  })
}

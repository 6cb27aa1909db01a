# Case: did_you_mean_near
# A typo in the noun: s3:GetObjct is one letter from s3:GetObject.
# expect: IAM310 on aws_iam_policy.read suggesting 's3:GetObject'
resource "aws_iam_policy" "read" {
  name = "read"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "s3:GetObjct"
      Resource = "arn:aws:s3:::logs/*"
    }]
  })
}

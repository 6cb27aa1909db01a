# Case: privilege_reason_order
# Two users privileged for several reasons; the reasons are given as a person would:
# admin first, then an escalation path, then permissions management on '*'.
# expect: IAM204 on aws_iam_user.ops naming admin ('*' on '*'), not its other reasons;
# IAM204 on aws_iam_user.dev naming path iam-001 (iam:CreatePolicyVersion), which comes
# before its permissions management (s3:PutBucketPolicy on '*'); IAM306 on dev only (an administrator has nothing to
# escalate to: IAM301 reports it); IAM201, IAM202, IAM206 on both; IAM303 on dev's policy
resource "aws_iam_user" "ops" {
  name = "ops"
}

resource "aws_iam_user_policy" "ops" {
  name = "ops"
  user = aws_iam_user.ops.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "s3:PutBucketPolicy", Resource = "*" },
      { Effect = "Allow", Action = "iam:CreatePolicyVersion", Resource = "arn:aws:iam::123456789012:policy/*" },
      { Effect = "Allow", Action = "*", Resource = "*" },
    ]
  })
}

resource "aws_iam_user" "dev" {
  name = "dev"
}

resource "aws_iam_user_policy" "dev" {
  name = "dev"
  user = aws_iam_user.dev.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "s3:PutBucketPolicy", Resource = "*" },
      { Effect = "Allow", Action = "iam:CreatePolicyVersion", Resource = "arn:aws:iam::123456789012:policy/*" },
    ]
  })
}

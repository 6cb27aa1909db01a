# Case: iam306_put_role_policy_any_role
# Near miss of iam306_service_linked_role: iam:PutRolePolicy on every role of the
# account, its own included.
# expect: IAM306 on aws_iam_role.tuner (path iam-005, iam:PutRolePolicy); IAM206
resource "aws_iam_role" "tuner" {
  name = "tuner"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "tuner" {
  name = "tuner"
  role = aws_iam_role.tuner.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PutRolePolicy"
      Resource = "arn:aws:iam::123456789012:role/*"
    }]
  })
}

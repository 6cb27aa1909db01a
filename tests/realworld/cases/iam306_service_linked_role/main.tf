# Case: iam306_service_linked_role
# A role allowed to put policies on service-linked roles only: AWS refuses changes to
# them (UnmodifiableEntity), so this is no escalation path.
# expect: IAM206 (inline policy) only
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
      Action   = ["iam:PutRolePolicy", "iam:AttachRolePolicy"]
      Resource = "arn:aws:iam::123456789012:role/aws-service-role/*"
    }]
  })
}

# Case: iam306_passed_to_service
# iam:PassRole on '*' limited by iam:PassedToService: a role may be passed to DAX only,
# so the Lambda paths (PassRole to lambda.amazonaws.com) are not open; the near miss
# lets roles go to Lambda.
# expect: IAM306 on aws_iam_role.to_lambda only (path lambda-001, high confidence: the path
# passes the role to Lambda, so the condition holds); IAM303 on both policies (lambda write actions on '*'),
# IAM307 on both (PassRole on '*'); IAM206 on both
locals {
  lambda_trust = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role" "to_dax" {
  name               = "to-dax"
  assume_role_policy = local.lambda_trust
}

resource "aws_iam_role_policy" "to_dax" {
  name = "to-dax"
  role = aws_iam_role.to_dax.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["lambda:CreateFunction", "lambda:InvokeFunction"], Resource = "*" },
      {
        Effect    = "Allow"
        Action    = "iam:PassRole"
        Resource  = "*"
        Condition = { StringLike = { "iam:PassedToService" = ["dax.amazonaws.com", "application-autoscaling.amazonaws.com"] } }
      },
    ]
  })
}

resource "aws_iam_role" "to_lambda" {
  name               = "to-lambda"
  assume_role_policy = local.lambda_trust
}

resource "aws_iam_role_policy" "to_lambda" {
  name = "to-lambda"
  role = aws_iam_role.to_lambda.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["lambda:CreateFunction", "lambda:InvokeFunction"], Resource = "*" },
      {
        Effect    = "Allow"
        Action    = "iam:PassRole"
        Resource  = "*"
        Condition = { StringEquals = { "iam:PassedToService" = "lambda.amazonaws.com" } }
      },
    ]
  })
}

# Case: empty_name_address
# A user whose name is empty and a policy whose name is left to Terraform: messages
# name them by address, never as ''.
# expect: IAM201, IAM202 and IAM204 (permissions management on *) naming 'aws_iam_user.blank',
# linked through the reference; IAM302/IAM303 naming 'aws_iam_policy.generated'
resource "aws_iam_user" "blank" {
  name = ""
}

resource "aws_iam_policy" "generated" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sqs:*", Resource = "*" }]
  })
}

resource "aws_iam_user_policy_attachment" "blank" {
  user       = aws_iam_user.blank.name
  policy_arn = aws_iam_policy.generated.arn
}

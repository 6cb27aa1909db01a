# Case: iam307_pass_role_named
# iam:PassRole on '*', written as the action itself and through a wildcard: the message
# names the wildcard only when one is used.
# expect: IAM307 on aws_iam_policy.exact (no "through") and on aws_iam_policy.wild
# (through 'iam:Pass*'); no IAM303 (it leaves iam:PassRole to IAM307)
resource "aws_iam_policy" "exact" {
  name = "exact"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = "*" }]
  })
}

resource "aws_iam_policy" "wild" {
  name = "wild"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "iam:Pass*", Resource = "*" }]
  })
}

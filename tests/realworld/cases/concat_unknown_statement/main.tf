# Case: concat_unknown_statement
# A statement list built with concat() from known statements and a variable: the known
# statements are evaluated, the unknown one is not guessed.
# expect: IAM301 on aws_iam_policy.ops (statement 1 grants * on *)
variable "extra_statements" {
  type = list(any)
}

locals {
  base = [{
    Sid      = "BreakGlass"
    Effect   = "Allow"
    Action   = "*"
    Resource = "*"
  }]
}

resource "aws_iam_policy" "ops" {
  name = "ops"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = concat(local.base, var.extra_statements)
  })
}

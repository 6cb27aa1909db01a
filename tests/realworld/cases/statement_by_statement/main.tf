# Case: statement_by_statement
# One statement's actions are unknown until apply; the other statements are known and
# are evaluated on their own.
# expect: IAM305 (NotResource) and IAM304 (NotAction) on aws_iam_policy.mixed; nothing about statement 1
variable "actions" {
  type = list(string)
}

data "aws_iam_policy_document" "mixed" {
  statement {
    actions   = var.actions
    resources = ["arn:aws:s3:::logs/*"]
  }
  statement {
    actions       = ["s3:GetObject"]
    not_resources = ["arn:aws:s3:::secret/*"]
  }
  statement {
    not_actions = ["iam:*"]
    resources   = ["arn:aws:s3:::logs"]
  }
}

resource "aws_iam_policy" "mixed" {
  name   = "mixed"
  policy = data.aws_iam_policy_document.mixed.json
}

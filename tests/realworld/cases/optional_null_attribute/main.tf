# Case: optional_null_attribute
# optional() without a default is null: a dynamic block over it makes no block, so the
# statement has Action and no NotAction.
# expect: no finding
variable "rule" {
  type = object({
    actions     = list(string)
    not_actions = optional(list(string))
    resources   = optional(list(string))
  })
  default = {
    actions   = ["sqs:SendMessage"]
    resources = ["arn:aws:sqs:us-east-1:123456789012:jobs"]
  }
}

data "aws_iam_policy_document" "send" {
  statement {
    actions       = var.rule.actions
    not_actions   = var.rule.not_actions
    resources     = var.rule.resources
    not_resources = var.rule.resources == null ? ["arn:aws:sqs:*:*:*"] : null
  }
}

resource "aws_iam_policy" "send" {
  name   = "send"
  policy = data.aws_iam_policy_document.send.json
}

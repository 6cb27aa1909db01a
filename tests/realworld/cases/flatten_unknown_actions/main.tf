# Case: flatten_unknown_actions
# An action list built with flatten() around an unknown list keeps its known actions.
# expect: IAM302 on aws_iam_policy.admin_iam ('iam:*'); IAM303; nothing about the unknown part
variable "more_actions" {
  type = list(string)
}

data "aws_iam_policy_document" "iam" {
  statement {
    actions   = flatten([["iam:*"], var.more_actions])
    resources = ["*"]
  }
}

resource "aws_iam_policy" "admin_iam" {
  name   = "admin-iam"
  policy = data.aws_iam_policy_document.iam.json
}

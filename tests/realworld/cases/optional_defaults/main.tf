# Case: optional_defaults
# Statements built from a variable whose object type gives optional() defaults: the
# defaults are the values, not unknowns (no IAM311/IAM304/IAM305 on a sound document).
# expect: no finding
variable "statements" {
  type = map(object({
    effect      = optional(string, "Allow")
    actions     = optional(list(string), ["s3:GetObject"])
    not_actions = optional(list(string), [])
    resources   = optional(list(string), ["arn:aws:s3:::reports/*"])
  }))
  default = {
    read = {}
  }
}

data "aws_iam_policy_document" "this" {
  dynamic "statement" {
    for_each = var.statements
    content {
      sid         = statement.key
      effect      = statement.value.effect
      actions     = statement.value.actions
      not_actions = length(statement.value.not_actions) > 0 ? statement.value.not_actions : null
      resources   = statement.value.resources
    }
  }
}

resource "aws_iam_policy" "reader" {
  name   = "reader"
  policy = data.aws_iam_policy_document.this.json
}

# Case: wildcard_patterns_match_nothing
# A read-only policy generated per service: patterns such as es:BatchGet* match no
# action of the catalog; es:Describe* and es:List* do.
# expect: IAM310 on aws_iam_policy.read_only naming 'es:BatchGet*' and 'es:View*' only
locals {
  services = ["es"]
}

data "aws_iam_policy_document" "read_only" {
  dynamic "statement" {
    for_each = local.services
    content {
      sid       = statement.value
      actions   = ["${statement.value}:List*", "${statement.value}:Describe*", "${statement.value}:BatchGet*", "${statement.value}:View*"]
      resources = ["*"]
    }
  }
}

resource "aws_iam_policy" "read_only" {
  name   = "read-only"
  policy = data.aws_iam_policy_document.read_only.json
}

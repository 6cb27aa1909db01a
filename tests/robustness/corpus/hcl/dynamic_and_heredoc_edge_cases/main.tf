resource "aws_iam_role" "r" {
  name = "r"
  assume_role_policy = <<-EOT
    {"Statement": [{"Effect": "Allow", "Principal": [["*"]], "Action": {"a": 1}}]}
  EOT
  dynamic "inline_policy" {
    for_each = 7
    content {
      name   = inline_policy.value
      policy = inline_policy.key
    }
  }
  dynamic "inline_policy" {
    for_each = { a = "{\"Statement\": 7}" }
    iterator = it
    content {
      name   = it.key
      policy = it.value
    }
  }
}

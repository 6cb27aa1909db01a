resource "aws_iam_user" "counted" {
  count = "three"
  name  = "u${count.index}"
}
resource "aws_iam_user" "negative" {
  count = -1
  name  = "n"
}
resource "aws_iam_user" "each_number" {
  for_each = 5
  name     = each.key
}
resource "aws_iam_user" "each_list_of_maps" {
  for_each = [{ a = 1 }]
  name     = each.value
}
resource "aws_iam_user" "each_null" {
  for_each = null
  name     = "x"
}
resource "aws_iam_policy" "policy_number" {
  policy = 12
}
resource "aws_iam_policy" "policy_list" {
  policy = ["*"]
}
resource "aws_iam_policy" "policy_wrong_fields" {
  policy = jsonencode({
    Version   = 2012
    Statement = [
      { Effect = ["Allow"], Action = { s3 = "*" }, Resource = [["*"]] },
      { Effect = "Allow", Action = "sts:AssumeRole", Principal = [["*"]] },
      { Effect = "Allow", Action = "s3:*", Resource = "*", Condition = { StringEquals = { "aws:SourceVpc" = { deep = { deeper = [1, null] } } } } },
      7, null, "x",
    ]
  })
}
resource "aws_iam_policy" "statement_number" {
  policy = jsonencode({ Statement = 7 })
}
resource "aws_iam_role" "trust_string" {
  name               = 5
  assume_role_policy = "not json"
  inline_policy {
    name   = ["x"]
    policy = { a = 1 }
  }
}
data "aws_iam_policy_document" "wrong" {
  statement {
    effect    = 7
    actions   = "s3:*"
    resources = { a = "*" }
    principals {
      type        = ["AWS"]
      identifiers = "*"
    }
    condition {
      test     = null
      variable = 1
      values   = [[["x"]]]
    }
  }
  statement = "x"
}
resource "aws_iam_policy" "from_doc" {
  policy = data.aws_iam_policy_document.wrong.json
}

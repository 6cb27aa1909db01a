# Case: merge_unknown_map
# merge() of a known document with a wholly unknown map: the unknown map may replace
# any key, Statement included, so the document is unknown and nothing is guessed.
# expect: no finding
variable "overrides" {
  type = map(any)
}

resource "aws_iam_policy" "merged" {
  name = "merged"
  policy = jsonencode(merge({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  }, var.overrides))
}

locals {
  many    = range(100000000000)
  product = setproduct(range(100000), range(100000), range(100000))
}
resource "aws_iam_user" "u" {
  count = 1000000000000
  name  = "u-${count.index}"
}
resource "aws_iam_user" "each" {
  for_each = toset([for i in range(1000000000000) : tostring(i)])
  name     = each.key
}
resource "aws_iam_policy" "p" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = local.many, Resource = "*" }] })
}

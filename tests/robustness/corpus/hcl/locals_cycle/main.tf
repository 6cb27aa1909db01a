locals {
  a = local.b
  b = local.c
  c = local.a
  self = local.self
  name = "${local.a}-${local.self}"
}
resource "aws_iam_user" "u" {
  name = local.name
}
resource "aws_iam_user_policy" "p" {
  user   = aws_iam_user.u.name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = local.a, Resource = "*" }] })
}
resource "aws_iam_policy" "admin" {
  name   = "admin"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

module "a" {
  source = "./a"
  x = module.b.out
}
module "b" {
  source = "./a"
  x = module.a.out
}
resource "aws_iam_user" "u" {
  name = module.a.out
}
resource "aws_iam_policy" "admin" {
  name   = "admin"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

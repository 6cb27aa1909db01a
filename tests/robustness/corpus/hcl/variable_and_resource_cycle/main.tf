variable "v" {
  default = var.v
}
resource "aws_iam_role" "a" {
  name               = aws_iam_role.b.name
  assume_role_policy = aws_iam_role.b.assume_role_policy
}
resource "aws_iam_role" "b" {
  name               = aws_iam_role.a.name
  assume_role_policy = aws_iam_role.a.assume_role_policy
}
resource "aws_iam_role_policy_attachment" "x" {
  role       = aws_iam_role.a.name
  policy_arn = aws_iam_policy.admin.arn
}
resource "aws_iam_policy" "admin" {
  name   = "admin"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

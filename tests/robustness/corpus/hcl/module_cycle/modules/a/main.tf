module "b" {
  source = "../b"
}
resource "aws_iam_user" "a" {
  name = "a"
}

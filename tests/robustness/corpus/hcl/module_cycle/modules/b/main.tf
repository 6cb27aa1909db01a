module "a" {
  source = "../a"
}
resource "aws_iam_user" "b" {
  name = "b"
}

variable "x" {}
resource "aws_iam_user" "u" {
  name = var.x
}

variable "x" {}
variable "y" {}
resource "aws_iam_user" "u" {
  name = "${var.x}${var.y}"
}

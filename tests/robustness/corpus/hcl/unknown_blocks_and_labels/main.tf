resource "aws_iam_user" {
  name = "one label"
}
resource "aws_iam_user" "a" "b" "c" {
  name = "three labels"
}
resource {
}
output {
}
output "a" "b" {
  value = 1
}
variable "v" "w" {}
provider {}
provider "aws" "extra" {
  access_key = 5
}
module {}
module "m" {}
module "n" {
  source = 7
}
locals {
  locals = { locals = "locals" }
}
terraform {
  terraform {}
}
weird_block "x" {}
resource "aws_iam_policy" "admin" {
  name   = "admin"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

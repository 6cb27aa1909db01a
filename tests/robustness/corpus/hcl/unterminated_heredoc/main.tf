resource "aws_iam_policy" "p" {
  policy = <<EOF
{"Statement": []}

resource "aws_iam_policy" "p\ud800" {
  name   = "a\ud800b"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:*\udc00", Resource = jsondecode("\"\\ud800\"") }] })
}

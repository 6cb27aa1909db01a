# Case: heredoc_closing_marker_blanks
# Terraform accepts blanks after a heredoc's closing marker; the policy is read.
# expect: IAM302, IAM303 and IAM308 on aws_iam_policy.blanks (s3:* on *)
resource "aws_iam_policy" "blanks" {
  name   = "blanks"
  policy = <<EOF
{"Version": "2012-10-17",
 "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
EOF   
}

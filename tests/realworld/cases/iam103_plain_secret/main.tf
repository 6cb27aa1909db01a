# Case: iam103_plain_secret
# Near miss of iam103_pgp_key: no pgp_key, so the secret is plain and the output holds it
# (sensitive = true hides it from the console, not from state or the caller).
# expect: IAM103 on output.ci_secret; IAM102 (plain in state); IAM202
resource "aws_iam_user" "ci" {
  name = "ci"
}

resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ci.name
}

output "ci_secret" {
  value     = aws_iam_access_key.ci.secret
  sensitive = true
}
